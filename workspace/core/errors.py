"""Friendly error pages in the reader's language; JSON for the API. Never a bare 500."""

from __future__ import annotations

import logging
from urllib.parse import quote

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from workspace.core.i18n import LANGUAGE_COOKIE, choose_language, current_language

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
    if isinstance(exc, NotAuthorizedException) and request.method in {"GET", "HEAD"}:
        return Redirect(f"/login?next={quote(request.url.path)}")
    name = ERROR_TEMPLATES.get(status, "400" if status < 500 else "500")
    headers = dict(exc.headers or {})
    return Template(
        template_name=f"errors/{name}.html", context={"status": status}, status_code=status, headers=headers
    )


def server_error(request: Request, exc: Exception) -> Response:
    logger.exception("Unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    _ensure_language(request)
    if _wants_json(request):
        return Response({"status_code": 500, "detail": "Internal server error"}, status_code=500)
    return Template(
        template_name="errors/500.html", context={"status": 500}, status_code=HTTP_500_INTERNAL_SERVER_ERROR
    )
