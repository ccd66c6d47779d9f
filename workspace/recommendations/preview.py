"""The preview of a recommendation's whole text as it is being written: one on demand, not one per field."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from workspace.core.forms import Form
from workspace.core.markdown import render_markdown
from workspace.recommendations.content import FIELD_LABELS
from workspace.recommendations.models import TEXT_FIELDS


@dataclass(frozen=True)
class Preview:
    title: str
    parts: list[tuple[str, Markup]]

    @property
    def is_empty(self) -> bool:
        return not self.title and not self.parts


def preview_of(form: Form) -> Preview:
    """The title and each filled-in field, labelled and rendered as the recommendation page shows them."""
    parts = [
        (str(FIELD_LABELS[name]), render_markdown(form.get(name)))
        for name in TEXT_FIELDS
        if name != "title" and form.get(name).strip()
    ]
    return Preview(title=form.get("title").strip(), parts=parts)
