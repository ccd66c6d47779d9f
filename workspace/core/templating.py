"""The Jinja environment: gettext, dates, markdown, and the helpers every template uses."""

from __future__ import annotations

from datetime import date
from typing import Any

from jinja2 import Environment, pass_context
from jinja2.runtime import Context
from litestar import Request
from litestar.response import Template

from workspace.core import i18n, labels
from workspace.core.markdown import render_markdown
from workspace.core.submissions import once_input


def _gettext(message: str) -> str:
    return i18n.translations_for(i18n.current_language.get()).gettext(message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    return i18n.translations_for(i18n.current_language.get()).ngettext(singular, plural, n)


@pass_context
def _viewer(context: Context) -> Any:
    """The signed-in user, or None (also on pages that no route matched)."""
    request = context.get("request")
    return request.scope.get("user") if request is not None else None


@pass_context
def _page_header(context: Context, name: str, default: Any = None) -> Any:
    """A value the page header shows, put in the request's state once per page by the domains that
    subscribe to `accounts.signals.page_opened` (the unread count, for one)."""
    request = context.get("request")
    state = request.scope.get("state", {}) if request is not None else {}
    return state.get(name, default)


@pass_context
def _flashes(context: Context) -> list[dict[str, str]]:
    """Messages left for this page by the previous request (read once, then gone)."""
    request = context.get("request")
    session = request.scope.get("session") if request is not None else None
    if not isinstance(session, dict):
        return []
    return session.pop("_messages", [])


def configure_environment(env: Environment) -> None:
    env.add_extension("jinja2.ext.i18n")
    env.add_extension("jinja2.ext.do")
    # Added to the environment by the i18n extension at run time, so unknown to its type stubs.
    env.install_gettext_callables(_gettext, _ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.trim_blocks = True
    env.lstrip_blocks = True
    env.filters["markdown"] = render_markdown
    env.filters["date"] = i18n.format_date
    env.globals["viewer"] = _viewer
    env.globals["flashes"] = _flashes
    env.globals["page_header"] = _page_header
    env.globals["current_language"] = i18n.current_language.get
    env.globals["languages"] = i18n.LANGUAGES
    env.globals["language_name"] = i18n.language_name
    env.globals["quote_marks"] = i18n.quote_marks
    env.globals["once_input"] = once_input
    env.globals["label"] = labels.label
    env.globals["today"] = date.today


def render_fragment(request: Request[Any, Any, Any], name: str, context: dict[str, Any]) -> str:
    """A template rendered to text outside a response (a live stream's event), with the same helpers a
    page gets (csrf_token, url_for, request)."""
    engine = request.app.template_engine
    if engine is None:
        raise RuntimeError("the app has no template engine")
    full = Template(name, context=context).create_template_context(request)
    return engine.get_template(name).render(**full)
