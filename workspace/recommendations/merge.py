"""Three-way merge of a recommendation's fields, so two people editing at once never lose work.

Each field merges on its own. A field only one side changed takes that side. A field both sides changed
merges line by line (a markdown paragraph is a line): edits to different paragraphs combine; edits to the
same paragraph are a conflict the person resolves, with their own text kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from merge3 import Merge3


@dataclass(frozen=True)
class FieldConflict:
    name: str
    base: str
    theirs: str
    mine: str


@dataclass
class MergeResult:
    content: dict[str, str]
    conflicts: list[FieldConflict] = field(default_factory=list)
    merged_fields: list[str] = field(default_factory=list)

    @property
    def is_clean(self) -> bool:
        return not self.conflicts


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def merge_text(base: str, theirs: str, mine: str) -> str | None:
    """The merged text, or None when both sides changed the same lines differently."""
    if mine in (base, theirs):
        return theirs
    if theirs == base:
        return mine
    # A missing final newline would make the last paragraph look changed on both sides.
    suffix = "\n"
    merger = Merge3(_lines(base + suffix), _lines(theirs + suffix), _lines(mine + suffix))
    merged: list[str] = []
    for group in merger.merge_groups():
        kind = group[0]
        if kind == "conflict":
            return None
        merged.extend(group[1])
    text = "".join(merged)
    return text[: -len(suffix)] if text.endswith(suffix) else text


def merge_fields(
    base: Mapping[str, str], theirs: Mapping[str, str], mine: Mapping[str, str], names: tuple[str, ...]
) -> MergeResult:
    """Merge `mine` (made from `base`) into `theirs` (saved meanwhile), field by field."""
    result = MergeResult(content={})
    for name in names:
        base_text, their_text, my_text = base.get(name, ""), theirs.get(name, ""), mine.get(name, "")
        merged = merge_text(base_text, their_text, my_text)
        if merged is None:
            result.conflicts.append(FieldConflict(name=name, base=base_text, theirs=their_text, mine=my_text))
            result.content[name] = my_text
            continue
        if my_text != base_text and their_text != base_text and my_text != their_text:
            result.merged_fields.append(name)
        result.content[name] = merged
    return result
