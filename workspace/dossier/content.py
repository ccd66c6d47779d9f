"""The dossier's content model: a plain dataclass tree built once from the database.

Every export (HTML, PDF, Markdown, DOCX, ODT, CSV, XLSX, JSON) and the preview render this tree and
nothing else; a published version stores it as JSON (`to_dict`) and is rebuilt from it (`from_dict`), so
a frozen version never changes when the recommendations do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

DOSSIER_LANGUAGES = ("fr", "nl")
"""The dossier's languages; an export is in one of them or both side by side."""
LANGUAGE_CHOICES = {"fr": ("fr",), "nl": ("nl",), "fr-nl": ("fr", "nl")}
SCHEME_SIDES = ("fr", "wal", "vl")

Texts = dict[str, str]
"""One text per language: {"fr": ..., "nl": ...}."""


@dataclass
class Votes:
    eligible: int
    cast: int
    for_: int
    against: int
    abstain: int
    block: int
    turnout: float | None
    support: float | None
    sides: dict[str, float | None]
    """Support on each side the cycle's double majority looks at ("fr", "be" or "fr", "wal", "vl")."""
    adopted: bool
    failed: list[str]
    """The conditions not met: "quorum", "overall", "side:be", "majority", "blocking"."""


@dataclass
class MinorityView:
    choice: str
    """against or block"""
    reason: str


@dataclass
class Entry:
    """One recommendation as the dossier shows it."""

    id: str
    number: str
    axis_code: str
    status: str
    original_language: str
    action_level: str
    text: dict[str, Texts]
    """Per language, the text fields (title, finding, proposal, institutions, expected_effect, scheme_fr,
    scheme_wal, scheme_vl, harmonisation)."""
    untranslated: list[str] = field(default_factory=list)
    """Languages in which the original is shown because no translation exists."""
    votes: Votes | None = None
    minority_views: list[MinorityView] = field(default_factory=list)
    carried_from: str | None = None
    """The year and title of the recommendation this one continues, when carried from an earlier cycle."""
    untranslated_fields: dict[str, list[str]] = field(default_factory=dict)
    """Per language, the fields of a translation that left them empty: the original is shown in their place.
    (A language in untranslated has no translation at all: every field is the original.)"""

    def title(self, language: str) -> str:
        return self.text.get(language, {}).get("title", "")

    def translated(self, language: str, name: str) -> bool:
        """Whether the text of field name in language is its own (the original or a translation), not the
        original standing in for a missing translation."""
        if language == self.original_language:
            return True
        return language not in self.untranslated and name not in self.untranslated_fields.get(language, [])

    def versions(self, name: str, languages: Sequence[str]) -> list[tuple[str, str]]:
        """(language it is written in, text) of field name for an export in languages: one per language,
        but the original once where it stands in for a missing translation, so that side by side the same
        text is never printed twice."""
        shown: dict[str, str] = {}
        for language in languages:
            written_in = language if self.translated(language, name) else self.original_language
            shown.setdefault(written_in, self.text.get(language, {}).get(name, ""))
        return list(shown.items())

    def missing(self, name: str, languages: Sequence[str]) -> list[str]:
        """The languages among languages in which field name has text but no translation of it."""
        return [
            language
            for language in languages
            if not self.translated(language, name) and self.text.get(language, {}).get(name)
        ]


@dataclass
class DiscussionComment:
    author: str
    """The author's display name (a pseudonym for an erased account); empty when the account is gone."""
    posted_on: str
    """ISO date."""
    body: str
    """Markdown, as written."""
    depth: int = 0
    """0 for the first comment of a thread, 1 for a reply to it, and so on."""


@dataclass
class EntryDiscussion:
    """The visible comments on one recommendation of the dossier, in the order of their threads."""

    id: str
    number: str
    title: Texts
    comments: list[DiscussionComment]


@dataclass
class AxisSection:
    id: str
    code: str
    name: Texts
    introduction: Texts
    entries: list[Entry]


@dataclass
class DossierContent:
    cycle_slug: str
    year: int
    title: Texts
    theme: Texts
    introduction: Texts
    axes: list[AxisSection]
    organisations: list[str]
    annex: list[Entry]
    """What was not adopted, with the votes that say why."""
    version: int | None = None
    """None for the draft being consolidated."""
    published_on: str | None = None
    """ISO date of publication."""
    discussion: list[EntryDiscussion] | None = None
    """The optional annex with the discussion of each recommendation (None when not asked for). Never
    stored with a published version: it is read when an export asks for it (annex.add_discussion)."""

    def entries(self) -> list[Entry]:
        return [entry for axis in self.axes for entry in axis.entries]

    def axis_name(self, code: str, language: str) -> str:
        for axis in self.axes:
            if axis.code == code:
                return axis.name.get(language, "")
        return code

    @property
    def date(self) -> date:
        return date.fromisoformat(self.published_on) if self.published_on else date.today()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DossierContent:
        def entry(raw: dict[str, Any]) -> Entry:
            votes = raw.get("votes")
            return Entry(
                **{
                    **raw,
                    "votes": Votes(**votes) if votes else None,
                    "minority_views": [MinorityView(**view) for view in raw.get("minority_views", [])],
                }
            )

        return cls(
            **{
                **data,
                "axes": [
                    AxisSection(**{**axis, "entries": [entry(item) for item in axis["entries"]]})
                    for axis in data["axes"]
                ],
                "annex": [entry(item) for item in data["annex"]],
                "discussion": None
                if data.get("discussion") is None
                else [
                    EntryDiscussion(**{**item, "comments": [DiscussionComment(**c) for c in item["comments"]]})
                    for item in data["discussion"]
                ],
            }
        )


def languages_of(choice: str) -> tuple[str, ...]:
    """The languages of an export choice ("fr", "nl", "fr-nl"); KeyError for anything else."""
    return LANGUAGE_CHOICES[choice]
