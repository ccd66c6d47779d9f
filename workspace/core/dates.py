"""Dates typed by people, in the convention of the page's language.

The three languages of the network write a date day first: 30/06/2027 in French and English (as in
Belgium and the United Kingdom), 30-06-2027 in Dutch. A browser's own date picker shows the browser's
convention, not the page's (a US-style "06/30/2027" under a French hint), so date fields are text fields
that read the page's convention, also accept the other separators and the ISO form (2027-06-30) a
browser or a script may send, and show the date back the same way."""

from __future__ import annotations

import re
from datetime import date

SEPARATOR = {"fr": "/", "nl": "-", "en": "/"}

_DAY_FIRST = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def format_typed(value: date, language: str) -> str:
    """The date as the reader would type it: 30/06/2027, 30-06-2027."""
    separator = SEPARATOR.get(language, "/")
    return f"{value.day:02d}{separator}{value.month:02d}{separator}{value.year:04d}"


def parse_typed(raw: str) -> date:
    """A date typed day first (any of / - . between the parts) or as ISO; ValueError otherwise."""
    text = raw.strip()
    if match := _ISO.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
    elif match := _DAY_FIRST.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
    else:
        raise ValueError(f"not a date: {raw!r}")
    return date(year, month, day)
