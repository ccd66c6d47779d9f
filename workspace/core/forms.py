"""A small form model: the submitted text is kept, errors sit by their field.

Services validate and raise `FormError`; routes turn it into the same form, re-rendered with the
user's input and the messages beside each field (never a 500, never lost text).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from workspace.core.i18n import gettext as _

MAX_LINE = 200
MAX_TEXT = 20_000


@dataclass
class Form:
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_data(cls, data: Mapping[str, Any] | None) -> Form:
        values: dict[str, str] = {}
        for key, value in (data or {}).items():
            if key == "_csrf_token":
                continue
            if isinstance(value, list):
                value = value[-1] if value else ""
            # NUL never belongs in text, and PostgreSQL refuses it in a string.
            values[key] = str(value).replace("\x00", "") if value is not None else ""
        return cls(values=values)

    def get(self, name: str, default: str = "") -> str:
        return self.values.get(name, default)

    def text(self, name: str, *, required: bool = False, max_length: int = MAX_LINE) -> str:
        value = self.values.get(name, "").strip()
        self.values[name] = value
        if required and not value:
            self.errors.setdefault(name, _("This field is required."))
        elif len(value) > max_length:
            self.errors.setdefault(name, _("This text is too long (at most %(max)s characters).", max=max_length))
        return value

    def choice(self, name: str, choices: Mapping[str, Any] | list[str], *, required: bool = True) -> str:
        value = self.values.get(name, "").strip()
        if not value and not required:
            return ""
        if value not in choices:
            self.errors.setdefault(name, _("Choose one of the options."))
        return value

    def integer(self, name: str, *, minimum: int, maximum: int) -> int:
        raw = self.values.get(name, "").strip()
        try:
            number = int(raw)
        except ValueError:
            self.errors.setdefault(name, _("Enter a whole number."))
            return minimum
        if not minimum <= number <= maximum:
            self.errors.setdefault(name, _("Enter a number between %(min)s and %(max)s.", min=minimum, max=maximum))
        return number

    def add_error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    @property
    def is_valid(self) -> bool:
        return not self.errors


class FormError(Exception):
    """The form cannot be accepted; its errors say why, field by field."""

    def __init__(self, form: Form) -> None:
        super().__init__(", ".join(f"{k}: {v}" for k, v in form.errors.items()))
        self.form = form
