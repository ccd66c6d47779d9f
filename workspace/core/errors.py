"""Friendly error pages in the reader's language; JSON for the API. Never a bare 500."""

from __future__ import annotations

import logging
from urllib.parse import quote

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from workspace.core import kept
from workspace.core.db import TimeLimitReached
from workspace.core.i18n import LANGUAGE_COOKIE, choose_language, current_language
from workspace.core.i18n import gettext as _
from workspace.core.web import notify, referring_path, safe_next

logger = logging.getLogger("passerelle.errors")

ERROR_TEMPLATES = {400: "400", 403: "403", 404: "404", 405: "404", 429: "429"}


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path.startswith("/schema")


def _ensure_language(request: Request) -> None:
    """Requests no route matched never went through the request-context middleware."""
    if "user" not in request.scope:
        current_language.set(
            choose_language(
                profile_language=None,
                cookie_language=request.cookies.get(LANGUAGE_COOKIE),
                accept_language=request.headers.get("accept-language"),
            )
        )


def http_error(request: Request, exc: HTTPException) -> Response:
    status = exc.status_code
    _ensure_language(request)
    if _wants_json(request):
        return Response({"status_code": status, "detail": exc.detail}, status_code=status)
    if isinstance(exc, NotAuthorizedException):
        return _sign_in_first(request)
    name = ERROR_TEMPLATES.get(status, "400" if status < 500 else "500")
    headers = dict(exc.headers or {})
    return Template(
        template_name=f"errors/{name}.html", context={"status": status}, status_code=status, headers=headers
    )


def _sign_in_first(request: Request) -> Response:
    """Anyone not signed in (or whose session has ended) goes to the sign-in page, then back: to the page
    they asked for, or, for a form they sent, to what they wrote (kept by the `requires_user` guard).

    An htmx request is answered with `HX-Redirect`, which htmx follows whatever the status; a plain
    form with a redirect (302, as for a page: the browser then asks for the sign-in page)."""
    if request.method in {"GET", "HEAD"}:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    elif kept.kept(request.scope.get("session")) is not None:
        target = "/kept"
        notify(
            request, _("Your session had ended, so this was not sent. Sign in again: what you wrote is kept."), "info"
        )
    else:
        target = safe_next(referring_path(request), "")
        notify(request, _("Your session had ended. Sign in again to go on."), "info")
    location = f"/login?next={quote(target)}" if target else "/login"
    if request.headers.get("hx-request") and request.method not in {"GET", "HEAD"}:
        return Response(content=None, status_code=401, headers={"HX-Redirect": location})
    return Redirect(location, status_code=302)


def took_too_long(request: Request, exc: TimeLimitReached) -> Response:
    """A statement ran past the request's time limit (workspace/core/db.py) and was stopped: the
    request's transaction is rolled back, the person is told so and may try again (503)."""
    logger.warning("Time limit reached on %s %s: %s", request.method, request.url.path, exc)
    _ensure_language(request)
    headers = {"Retry-After": "5"}
    if _wants_json(request):
        detail = "The request took too long and was stopped; nothing was changed. Try again in a moment."
        return Response({"status_code": 503, "detail": detail}, status_code=503, headers=headers)
    context = {"status": 503, "saved_nothing": request.method not in {"GET", "HEAD"}}
    return Template(template_name="errors/503.html", context=context, status_code=503, headers=headers)


def server_error(request: Request, exc: Exception) -> Response:
    logger.exception("Unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    _ensure_language(request)
    if _wants_json(request):
        return Response({"status_code": 500, "detail": "Internal server error"}, status_code=500)
    return Template(
        template_name="errors/500.html", context={"status": 500}, status_code=HTTP_500_INTERNAL_SERVER_ERROR
    )
