"""The text of a recommendation as a form: reading it, checking it, comparing revisions of it."""

from __future__ import annotations

import re
from typing import Any

from workspace.core.forms import MAX_TEXT, Form
from workspace.core.i18n import gettext as _
from workspace.core.i18n import lazy_gettext
from workspace.recommendations.models import TEXT_FIELDS, ActionLevel, Recommendation

REVISION_FIELDS = (*TEXT_FIELDS, "action_level", "tags")
"""Everything a revision keeps: the text fields, the level of action and the tags."""
REQUIRED_FIELDS = frozenset({"title", "finding", "proposal"})
MAX_TITLE = 200
MAX_TAGS = 10
MAX_TAG = 40
_TAG_SPLIT = re.compile(r"[,;]")

FIELD_LABELS = {
    "title": lazy_gettext("Title"),
    "finding": lazy_gettext("Finding"),
    "proposal": lazy_gettext("Proposal"),
    "action_level": lazy_gettext("Level of action"),
    "institutions": lazy_gettext("Institutions that should act"),
    "expected_effect": lazy_gettext("Expected effect"),
    "scheme_fr": lazy_gettext("Current scheme in France"),
    "scheme_wal": lazy_gettext("Current scheme in Wallonia"),
    "scheme_vl": lazy_gettext("Current scheme in Flanders"),
    "harmonisation": lazy_gettext("What harmonising would mean"),
    "tags": lazy_gettext("Tags"),
}
FIELD_HINTS = {
    "finding": lazy_gettext("What goes wrong today, concretely. Markdown is allowed."),
    "proposal": lazy_gettext("What should change, concretely. Markdown is allowed."),
    "institutions": lazy_gettext("Name the institutions: a CPAS, a department, a ministry…"),
    "tags": lazy_gettext("Separate tags with commas."),
}


def normalise_tags(raw: str) -> list[str]:
    seen: list[str] = []
    for piece in _TAG_SPLIT.split(raw or ""):
        tag = " ".join(piece.strip().lstrip("#").split())
        if tag and tag.lower() not in (existing.lower() for existing in seen):
            seen.append(tag)
    return seen


def content_of(recommendation: Recommendation) -> dict[str, str]:
    content: dict[str, str] = {name: getattr(recommendation, name) or "" for name in TEXT_FIELDS}
    content["action_level"] = recommendation.action_level.value
    content["tags"] = ", ".join(sorted((tag.tag for tag in recommendation.tags), key=str.lower))
    return content


def revision_content(stored: dict[str, Any]) -> dict[str, str]:
    """A stored revision as the same shape (older revisions may lack a field)."""
    return {name: str(stored.get(name) or "") for name in REVISION_FIELDS}


def read_content(form: Form) -> dict[str, str]:
    """Check the submitted text; errors land on the form, the text stays as typed."""
    content: dict[str, str] = {}
    for name in TEXT_FIELDS:
        limit = MAX_TITLE if name == "title" else MAX_TEXT
        value = form.values.get(name, "").replace("\r\n", "\n")
        value = value.strip() if name == "title" else value.rstrip()
        form.values[name] = value
        if name in REQUIRED_FIELDS and not value.strip():
            form.add_error(name, _("This field is required."))
        elif len(value) > limit:
            form.add_error(name, _("This text is too long (at most %(max)s characters).", max=limit))
        content[name] = value
    content["action_level"] = form.choice("action_level", [level.value for level in ActionLevel])
    tags = normalise_tags(form.values.get("tags", ""))
    if len(tags) > MAX_TAGS:
        form.add_error("tags", _("Use at most %(max)s tags.", max=MAX_TAGS))
    elif any(len(tag) > MAX_TAG for tag in tags):
        form.add_error("tags", _("A tag has at most %(max)s characters.", max=MAX_TAG))
    content["tags"] = ", ".join(sorted(tags, key=str.lower))
    return content


def form_from_content(content: dict[str, str], **extra: str) -> Form:
    return Form(values={**content, **extra})
