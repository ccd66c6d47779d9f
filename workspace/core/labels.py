"""The words people read for the values of the domain's enums, in one form.

Each domain registers the words for its enums next to them (`register(Phase, {...})` in its models), with
`lazy_gettext` so that they are extracted for translation and read in the reader's language when shown.
Every page, export and e-mail then asks `label(value)` (or `label(value, kind)` for a plain string
from a form or a template) instead of keeping its own if-chain or dictionary. `register` refuses an enum
with a value left without words, so a new value cannot reach a page as its code."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from workspace.core.i18n import current_language

_WORDS: dict[type[StrEnum], Mapping[StrEnum, Any]] = {}
_BY_NAME: dict[str, type[StrEnum]] = {}


def register(kind: type[StrEnum], words: Mapping[Any, Any], *, name: str | None = None) -> None:
    """`words` gives every member of `kind` its words (a lazy translation, or a proper noun as it is);
    `name` is how templates call the kind (the enum's name in snake case by default)."""
    missing = [member.value for member in kind if member not in words]
    if missing:
        raise ValueError(f"{kind.__name__}: no words for {', '.join(missing)}")
    _WORDS[kind] = words
    _BY_NAME[name or _snake(kind.__name__)] = kind


def label(value: StrEnum | str | None, kind: type[StrEnum] | str | None = None, *, language: str | None = None) -> str:
    """The words for `value` in the reader's language (or `language`); "" for no value, the value itself
    when it is not one of the kind's (a code kept from an older release)."""
    if value is None or value == "":
        return ""
    enum = _kind(value, kind)
    try:
        member = enum(value)
    except ValueError:
        return str(value)
    words = _WORDS[enum][member]
    if language is None:
        return str(words)
    token = current_language.set(language)
    try:
        return str(words)
    finally:
        current_language.reset(token)


def registered() -> dict[type[StrEnum], Mapping[StrEnum, Any]]:
    return dict(_WORDS)


def _kind(value: StrEnum | str, kind: type[StrEnum] | str | None) -> type[StrEnum]:
    if isinstance(kind, str):
        return _BY_NAME[kind]
    if kind is not None:
        return kind
    if isinstance(value, StrEnum) and type(value) in _WORDS:
        return type(value)
    raise LookupError(f"no words registered for {value!r}: say its kind")


def _snake(name: str) -> str:
    return "".join(f"_{char.lower()}" if char.isupper() and index else char.lower() for index, char in enumerate(name))
