"""The splitter: the blocks of a document as proposed drafts, one per heading or numbered item.

A heading naming an axis ("Axe 1 : Formation", "Praktijken") sets the axis of the drafts below it; a
label ("Constat :", "Voorstel:", "Wie moet handelen") sends the text after it to that field; unlabelled
text goes to the proposal."""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from workspace.recommendations.importing.readers import Block

MAX_TITLE = 200

AXIS_WORDS = {
    "F": ("formation", "formations", "opleiding", "opleidingen", "vorming", "training"),
    "P": ("pratiques", "pratique", "praktijken", "praktijk", "practices", "practice"),
    "G": ("gouvernance", "bestuur", "governance", "beleid"),
}
"""Words naming the seeded axes in a heading, besides the cycle's own axis names."""

FIELD_WORDS = {
    "finding": ("constat", "constats", "vaststelling", "vaststellingen", "finding", "situation actuelle"),
    "proposal": ("proposition", "propositions", "voorstel", "voorstellen", "proposal", "recommandation"),
    "institutions": (
        "qui doit agir",
        "acteurs",
        "wie moet handelen",
        "wie moet optreden",
        "who should act",
        "institutions",
    ),
    "expected_effect": ("effet attendu", "effets attendus", "verwacht effect", "beoogd effect", "expected effect"),
    "scheme_fr": ("en france", "dispositif en france", "in frankrijk", "france"),
    "scheme_wal": ("en wallonie", "dispositif en wallonie", "in wallonie", "wallonie"),
    "scheme_vl": ("en flandre", "dispositif en flandre", "in vlaanderen", "vlaanderen", "flandre"),
    "harmonisation": ("harmonisation", "harmonisering", "harmonising"),
}
"""Labels a document may put before a part of a recommendation, by the field the part belongs to."""

DEFAULT_FIELD = "proposal"


def _folded(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", ascii_text.lower()).split())


_LABELS = sorted(
    ((_folded(label), name) for name, labels in FIELD_WORDS.items() for label in labels),
    key=lambda pair: -len(pair[0]),
)
_LABEL_PREFIX = re.compile(r"^\s*(?:\*\*|__)?\s*([^:*_]{2,40}?)\s*(?:\*\*|__)?\s*[:：]\s*(?:\*\*|__)?\s*")


def field_label(text: str) -> tuple[str, str] | None:
    """("finding", the rest) for "Constat : ...", or for "Constat" alone; None for ordinary text."""
    match = _LABEL_PREFIX.match(text)
    label, rest = (match.group(1), text[match.end() :]) if match else (text, "")
    if not match and len(text) > 40:
        return None
    folded = _folded(label)
    for known, name in _LABELS:
        if folded == known:
            return name, rest.strip()
    return None


@dataclass(frozen=True)
class AxisNames:
    """The cycle's axes, by code, with every word that names one."""

    words: dict[str, frozenset[str]]

    @classmethod
    def of(cls, axes: Iterable[Any]) -> AxisNames:
        words: dict[str, frozenset[str]] = {}
        for axis in axes:
            names = {_folded(name) for name in (axis.name_fr, axis.name_nl, axis.name_en) if name}
            names.update(AXIS_WORDS.get(axis.code, ()))
            words[axis.code] = frozenset(names)
        return cls(words)

    def named_in(self, heading: str) -> str | None:
        """The code of the axis a heading names ("Axe 1 : Formation", "As Bestuur"), if it names one only."""
        folded = f" {_folded(heading)} "
        found = [code for code, names in self.words.items() if any(f" {name} " in folded for name in names)]
        if len(found) != 1 or len(folded.split()) > 6:
            return None
        return found[0]


@dataclass
class Part:
    field: str
    text: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "text": self.text}


@dataclass
class Draft:
    """A proposed draft: its title, axis code, where it came from, and its paragraphs by field."""

    title: str
    axis: str
    item: int
    heading: str
    parts: list[Part] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "axis": self.axis,
            "item": self.item,
            "heading": self.heading,
            "parts": [part.as_dict() for part in self.parts],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Draft:
        return cls(
            title=str(data["title"]),
            axis=str(data["axis"]),
            item=int(data["item"]),
            heading=str(data["heading"]),
            parts=[Part(str(part["field"]), str(part["text"])) for part in data["parts"]],
        )

    def content(self) -> dict[str, str]:
        """The draft's text by field, paragraphs of one field joined by blank lines."""
        content: dict[str, list[str]] = {}
        for part in self.parts:
            content.setdefault(part.field, []).append(part.text)
        return {name: "\n\n".join(texts) for name, texts in content.items()}


def title_of(text: str) -> str:
    """A title from a heading or a numbered item: its first sentence, within the title's length."""
    sentence = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
    sentence = sentence.strip().rstrip(".").strip("*_ ")
    if len(sentence) <= MAX_TITLE:
        return sentence
    return sentence[: MAX_TITLE - 1].rsplit(" ", 1)[0] + "…"


def split(blocks: list[Block], axes: AxisNames, default_axis: str) -> list[Draft]:
    """One draft per heading or numbered item. A heading naming an axis sets the axis of what follows;
    a heading or a paragraph that is a field's label sends what follows to that field; a heading with
    headings under it (a document's title, a chapter) only groups them. Text outside drafts is left out."""
    grouping = _grouping_headings(blocks)
    drafts: list[Draft] = []
    current: Draft | None = None
    axis = default_axis
    axis_level = 0
    field_name = DEFAULT_FIELD
    for index, block in enumerate(blocks):
        if block.kind == "heading":
            named = axes.named_in(block.text)
            if named:
                axis, axis_level, current = named, block.level, None
                continue
            if axis_level and block.level <= axis_level:
                axis, axis_level = default_axis, 0
            labelled = field_label(block.text)
            if labelled and current is not None:
                field_name = labelled[0]
                if labelled[1]:
                    current.parts.append(Part(field_name, labelled[1]))
                continue
            if index in grouping:
                current = None
                continue
        if block.kind in ("heading", "item"):
            current = Draft(title=title_of(block.text), axis=axis, item=0, heading=block.text[:MAX_TITLE])
            drafts.append(current)
            field_name = DEFAULT_FIELD
            if block.kind == "item" and title_of(block.text) != block.text.rstrip("."):
                current.parts.append(Part(DEFAULT_FIELD, block.text))
            continue
        if current is None:
            continue
        labelled = field_label(block.text)
        if labelled:
            field_name = labelled[0]
            if labelled[1]:
                current.parts.append(Part(field_name, labelled[1]))
            continue
        current.parts.append(Part(field_name, block.text))
    kept = [draft for draft in drafts if draft.parts or _is_bare_item(draft, blocks)]
    for number, draft in enumerate(kept, start=1):
        draft.item = number
    return kept


def _grouping_headings(blocks: list[Block]) -> set[int]:
    """Indexes of the headings followed by a deeper heading (labels aside) before one of their own level."""
    headings = [(index, block.level) for index, block in enumerate(blocks) if block.kind == "heading"]
    headings = [(index, level) for index, level in headings if field_label(blocks[index].text) is None]
    return {index for (index, level), (_next, deeper) in itertools.pairwise(headings) if deeper > level}


def _is_bare_item(draft: Draft, blocks: list[Block]) -> bool:
    """A numbered item with no text under it is still a recommendation (its title says it all)."""
    return any(block.kind == "item" and block.text[:MAX_TITLE] == draft.heading for block in blocks)
