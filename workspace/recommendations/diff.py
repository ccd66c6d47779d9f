"""Word-by-word comparison of two revisions, as inline insertions and deletions."""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from markupsafe import Markup, escape

_TOKEN = re.compile(r"\s+|[^\s\w]|\w+", re.UNICODE)


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text or "")


def word_diff(old: str, new: str) -> Markup:
    """HTML with <del> for removed words and <ins> for added ones; unchanged text escaped as is."""
    before, after = tokens(old), tokens(new)
    matcher = SequenceMatcher(a=before, b=after, autojunk=False)
    parts: list[str] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            parts.append(str(escape("".join(before[i1:i2]))))
            continue
        if tag in ("delete", "replace"):
            parts.append(f"<del>{escape(''.join(before[i1:i2]))}</del>")
        if tag in ("insert", "replace"):
            parts.append(f"<ins>{escape(''.join(after[j1:j2]))}</ins>")
    return Markup("".join(parts))  # noqa: S704 - every piece of user text is escaped above


def changed(old: str, new: str) -> bool:
    return (old or "") != (new or "")
