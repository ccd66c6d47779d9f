"""Every visible string has a French and a Dutch translation (and an English entry)."""

from __future__ import annotations

import re
from functools import cache

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from workspace.core.i18n import TRANSLATIONS_DIR
from workspace.settings import PROJECT_ROOT

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


@cache
def source_messages() -> frozenset[str | tuple[str, ...]]:
    with (PROJECT_ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    found: set[str | tuple[str, ...]] = set()
    for root in ("workspace", "templates"):
        for _filename, _lineno, message, _comments, _context in extract_from_dir(
            PROJECT_ROOT,
            method_map,
            options_map,
            keywords={"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None},
            directory_filter=lambda path, root=root: path == str(PROJECT_ROOT) or root in path,
        ):
            found.add(message if isinstance(message, str) else tuple(message))
    return frozenset(found)


def catalog(language: str) -> Catalog:
    with (TRANSLATIONS_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        return read_po(po_file, locale=language)


def test_the_sources_have_translatable_strings():
    assert len(source_messages()) > 100


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_every_source_string_is_translated(language: str):
    translations = catalog(language)
    missing = []
    for message in sorted(source_messages(), key=str):
        msgid = message if isinstance(message, str) else message[0]
        entry = translations.get(msgid)
        if entry is None or entry.fuzzy:
            missing.append(msgid)
            continue
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if not all(strings):
            missing.append(msgid)
    assert not missing, f"{len(missing)} strings without a {language} translation, e.g. {missing[:5]}"


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_translations_keep_their_placeholders(language: str):
    wrong = []
    for entry in catalog(language):
        if not entry.id:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        expected = set().union(*(PLACEHOLDER.findall(text) for text in ids))
        for text in strings:
            if text and not set(PLACEHOLDER.findall(text)) <= expected | {"num"}:
                wrong.append(entry.id)
            if text and len(ids) == 1 and set(PLACEHOLDER.findall(text)) != expected:
                wrong.append(entry.id)
    assert not wrong, wrong[:5]
