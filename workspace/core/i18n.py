"""Languages: catalogues read from the .po files, the request's locale, gettext for code and templates.

The locale of a request comes from the signed-in user's profile, else the language switcher's
cookie, else the browser's Accept-Language, else French.
"""

from __future__ import annotations

import gettext as gettext_module
from contextvars import ContextVar
from datetime import date, datetime
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import LazyProxy

LANGUAGES = ("fr", "nl", "en")
DEFAULT_LANGUAGE = "fr"
LANGUAGE_COOKIE = "lang"
TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"
# Dates are written the Belgian way for French and Dutch readers on both sides.
FORMAT_LOCALES = {"fr": "fr_BE", "nl": "nl_BE", "en": "en_GB"}
LANGUAGE_NAMES = {"fr": "Français", "nl": "Nederlands", "en": "English"}

current_language: ContextVar[str] = ContextVar("current_language", default=DEFAULT_LANGUAGE)


@lru_cache(maxsize=len(LANGUAGES))
def translations_for(language: str) -> gettext_module.NullTranslations:
    """Compile the language's .po catalogue in memory (no build step, no stale .mo files)."""
    po_path = TRANSLATIONS_DIR / language / "LC_MESSAGES" / "messages.po"
    if not po_path.exists():
        return gettext_module.NullTranslations()
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=language)
    buffer = BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext_module.GNUTranslations(buffer)


def gettext(message: str, **variables: object) -> str:
    text = translations_for(current_language.get()).gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: object) -> str:
    text = translations_for(current_language.get()).ngettext(singular, plural, n)
    return text % {"num": n, **variables}


def lazy_gettext(message: str) -> LazyProxy:
    """A message translated when shown, for labels defined at import time."""
    return LazyProxy(gettext, message, enable_cache=False)


_ = gettext


def negotiate(accept_language: str | None) -> str | None:
    if not accept_language:
        return None
    preferred: list[tuple[float, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        piece = part.strip()
        if not piece:
            continue
        tag, _sep, params = piece.partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        preferred.append((quality - position * 1e-6, tag.strip().lower()))
    for _quality, tag in sorted(preferred, reverse=True):
        primary = tag.split("-")[0]
        if primary in LANGUAGES:
            return primary
    return None


def choose_language(*, profile_language: str | None, cookie_language: str | None, accept_language: str | None) -> str:
    for candidate in (profile_language, cookie_language):
        if candidate in LANGUAGES:
            return candidate
    return negotiate(accept_language) or DEFAULT_LANGUAGE


def format_date(value: date | datetime | None, format: str = "long") -> str:
    if value is None:
        return ""
    locale = FORMAT_LOCALES[current_language.get()]
    if isinstance(value, datetime):
        return babel_format_datetime(value, format="medium", locale=locale)
    return babel_format_date(value, format=format, locale=locale)


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code) or Locale.parse(code).get_display_name(code) or code


_QUOTE_MARKS = {"fr": ("«\u00a0", "\u00a0»"), "nl": ("‘", "’"), "en": ("“", "”")}
"""CLDR's quotation marks of each language (Babel does not carry them)."""


def quote_marks(language: str | None = None) -> tuple[str, str]:
    """The opening and closing quotation marks of the page's language: a French text quoted on a Dutch page
    takes Dutch marks."""
    return _QUOTE_MARKS.get(language or current_language.get(), _QUOTE_MARKS["en"])
