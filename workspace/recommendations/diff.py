"""Word-by-word comparison of two revisions, as inline insertions and deletions."""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from markupsafe import Markup, escape

_TOKEN = re.compile(r"\s+|[^\s\w]|\w+", re.UNICODE)


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text or "")


def _chunks(before: list[str], after: list[str]) -> list[tuple[bool, str, str]]:
    """(unchanged?, old text, new text) runs; two changes separated only by spaces become one change, so
    "Moins de" replaced by "Diviser par" reads as one removal and one addition, not four interleaved words."""
    matcher = SequenceMatcher(a=before, b=after, autojunk=False)
    chunks: list[tuple[bool, str, str]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        old, new = "".join(before[i1:i2]), "".join(after[j1:j2])
        chunks.append((tag == "equal", old, new))
    merged: list[tuple[bool, str, str]] = []
    for index, (same, old, new) in enumerate(chunks):
        between_changes = 0 < index < len(chunks) - 1 and not chunks[index - 1][0] and not chunks[index + 1][0]
        if same and between_changes and not old.strip():
            same = False
        if merged and not same and not merged[-1][0]:
            _same, old_before, new_before = merged.pop()
            old, new = old_before + old, new_before + new
        merged.append((same, old, new) if not same else (True, old, old))
    return merged


def word_diff(old: str, new: str) -> Markup:
    """HTML with <del> for removed words and <ins> for added ones; unchanged text escaped as is. A removal
    followed by an addition is parted by a space when both touch with a letter or digit, so that words never
    run together ("Moins Diviser", not "MoinsDiviser")."""
    parts: list[str] = []
    for same, removed, added in _chunks(tokens(old), tokens(new)):
        if same:
            parts.append(str(escape(removed)))
            continue
        if removed.strip():
            parts.append(f"<del>{escape(removed)}</del>")
        if removed.strip() and added.strip() and removed[-1].isalnum() and added[0].isalnum():
            parts.append(" ")
        if added.strip():
            parts.append(f"<ins>{escape(added)}</ins>")
        if not removed.strip() and not added.strip():
            parts.append(str(escape(added)))
    return Markup("".join(parts))  # noqa: S704 - every piece of user text is escaped above


def changed(old: str, new: str) -> bool:
    return (old or "") != (new or "")
