"""Markdown to paragraphs of plain text, for the word-processor formats (DOCX, ODT)."""

from __future__ import annotations

import re

_INLINE = re.compile(r"(\*\*|__|\*|_|`)")
_LINK = re.compile(r"\[([^\]]*)\]\(([^)]*)\)")
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_HEADING = re.compile(r"^\s*#{1,6}\s+")


def paragraphs(markdown: str) -> list[str]:
    """Blocks separated by blank lines, markup removed, list items kept one per paragraph with a bullet."""
    result: list[str] = []
    for block in re.split(r"\n\s*\n", markdown or ""):
        lines = [line for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        if all(_BULLET.match(line) for line in lines):
            result.extend("• " + _clean(_BULLET.sub("", line)) for line in lines)
        else:
            result.append(_clean(" ".join(_HEADING.sub("", line).strip() for line in lines)))
    return result


def _clean(text: str) -> str:
    return _INLINE.sub("", _LINK.sub(r"\1 (\2)", text)).strip()
