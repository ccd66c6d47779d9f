"""A recommendation's text cut into passages (its paragraphs, list blocks, tables…), so that a comment
can be about one passage and not only a whole part.

A passage is named by a short fingerprint of its words, not by its place: a paragraph moved in a later
revision keeps its name (and its comments); a paragraph rewritten gets another one, and the comments
about the old words say "this passage has changed". Anchors are always taken in the recommendation's
original text; on a translation with as many passages, the passage at the same place stands for it.

An anchor is stored as "proposal" (the whole part) or "proposal~3f2a9c0b1d" (one of its passages)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markupsafe import Markup

from workspace.core.markdown import plain_text, render_markdown

SEPARATOR = "~"
KEY_LENGTH = 10
EXCERPT = 90
PASSAGE_FIELDS = ("finding", "proposal", "institutions", "expected_effect", "harmonisation")
"""The parts written as prose, whose passages one can comment on (the schemes are table cells)."""

_blocks = MarkdownIt("js-default")


@dataclass(frozen=True)
class Passage:
    field: str
    key: str
    number: int
    excerpt: str
    html: Markup

    @property
    def anchor(self) -> str:
        return f"{self.field}{SEPARATOR}{self.key}"

    @property
    def element_id(self) -> str:
        return f"passage-{self.field}-{self.key}"


def fingerprint(source: str) -> str:
    words = " ".join(plain_text(source).casefold().split())
    return hashlib.sha256(words.encode()).hexdigest()[:KEY_LENGTH]


def _sources(text: str) -> list[str]:
    """The markdown of each top-level block, in order."""
    lines = text.splitlines()
    found = []
    for token in _blocks.parse(text):
        if token.level == 0 and token.map is not None and token.nesting in (0, 1):
            start, end = token.map
            source = "\n".join(lines[start:end]).strip()
            if source:
                found.append(source)
    return found


def split(field: str, text: str | None) -> list[Passage]:
    """The passages of one part, each rendered as the page renders markdown."""
    passages: list[Passage] = []
    seen: set[str] = set()
    for number, source in enumerate(_sources(text or ""), start=1):
        key = fingerprint(source)
        if key in seen:  # the same words twice: the second gets its place in its name
            key = fingerprint(f"{source}\n{number}")
        seen.add(key)
        passages.append(Passage(field, key, number, plain_text(source, EXCERPT), render_markdown(source)))
    return passages


def of_text(content: Mapping[str, str | None]) -> dict[str, list[Passage]]:
    return {field: split(field, content.get(field)) for field in PASSAGE_FIELDS}


def shown(
    original: Mapping[str, str | None], displayed: Mapping[str, str | None] | None = None
) -> dict[str, list[Passage]]:
    """The passages of the text on the page, named after the original's: the original itself (no
    `displayed`), or a translation whose part has as many passages (else its passages carry their own
    names, which no comment uses, so comments about them point at the whole part)."""
    named = of_text(original)
    if displayed is None:
        return named
    result = {}
    for field, passages in of_text(displayed).items():
        if len(passages) == len(named[field]):
            passages = [
                Passage(field, source.key, passage.number, passage.excerpt, passage.html)
                for passage, source in zip(passages, named[field], strict=True)
            ]
        result[field] = passages
    return result


def parse(anchor: str | None) -> tuple[str, str]:
    """("proposal", "3f2a9c0b1d") or ("proposal", "") for a whole part; ("", "") for none."""
    if not anchor:
        return "", ""
    field, _, key = anchor.partition(SEPARATOR)
    return field, key
