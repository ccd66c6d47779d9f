"""Helpers the route handlers share: the request's database session, forms, redirects, pages not found."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any, TypeVar, cast
from urllib.parse import urlsplit

from litestar import Request, Response, get
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect
from litestar.status_codes import HTTP_303_SEE_OTHER
from sqlalchemy.ext.asyncio import AsyncSession

from workspace.core import kept
from workspace.core.forms import Form
from workspace.core.submissions import AlreadySent

if TYPE_CHECKING:
    from litestar.types import HTTPScope

T = TypeVar("T")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SESSION_USER_KEY = "user_id"
"""The session's key for the signed-in account's id."""

DbSession = NamedDependency[AsyncSession]
"""The request's database session (see provide_db_session)."""


@dataclass
class _Outcome:
    status: int | None = None


_outcome: ContextVar[_Outcome | None] = ContextVar("request_outcome", default=None)
"""The status of the response the current request's handler produced (see `record_outcome`)."""


def begin_outcome() -> None:
    """Part of the app's `before_request` hook: the handler's outcome is held from here on.

    It must be set in the task that runs the handler (and `record_outcome` after it): Litestar resolves
    dependencies that do not depend on each other concurrently, in tasks of their own, so a value
    `provide_db_session` set there would never be seen by `record_outcome`; an object set here is
    shared by all of them."""
    _outcome.set(_Outcome())


async def record_outcome(response: Response) -> Response:
    """`after_request` hook: runs once the handler's response exists, before the request's database
    session is closed, so that the session knows whether the handler succeeded."""
    outcome = _outcome.get()
    if outcome is not None:
        outcome.status = response.status_code
    return response


async def provide_db_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request: unsafe methods write, committed only when the handler succeeded.

    A form re-rendered with its errors (400), a refusal (403, 409, 429) or an exception rolls back
    whatever the service wrote before it refused, so a refused request leaves nothing behind."""
    write = request.method not in SAFE_METHODS
    outcome = _outcome.get()
    if outcome is None:
        outcome = _Outcome()
        _outcome.set(outcome)
    async with request.app.state.db.session(write=write) as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        if not write:
            return
        if outcome.status is not None and outcome.status >= 400:
            await session.rollback()
        else:
            await session.commit()
            kept.forget_if_sent(request)


async def keep_for_later(connection: ASGIConnection[Any, Any, Any, Any]) -> None:
    """A form sent by someone whose session has ended is kept in a fresh session, to be offered again
    once they have signed in (the sign-in page is where the error handler sends them)."""
    if connection.scope["type"] != "http" or cast("HTTPScope", connection.scope)["method"] in SAFE_METHODS:
        return
    if connection.scope["path"].startswith("/api/"):
        return
    request: Request[Any, Any, Any] = Request(connection.scope, receive=connection.receive)
    session = connection.scope.get("session")
    ended_for = session.get(SESSION_USER_KEY) if isinstance(session, dict) else None
    submission = await kept.read_submission(
        request, return_to=safe_next(referring_path(request), ""), for_user=str(ended_for) if ended_for else None
    )
    if submission is not None:
        connection.set_session({kept.KEPT_KEY: submission.to_session()})


def referring_path(request: Request[Any, Any, Any]) -> str:
    """The path of the page a same-site form was sent from (the Referer header, which our
    Referrer-Policy sends to this site only)."""
    parts = urlsplit(request.headers.get("referer", ""))
    if parts.netloc and parts.netloc != request.headers.get("host"):
        return ""
    return parts.path + (f"?{parts.query}" if parts.query else "")


async def read_form(request: Request) -> Form:
    data = await request.form()
    return Form.from_data(data.dict())


def notify(request: Request, message: str, category: str = "success") -> None:
    """Leave a message for the next page the person sees."""
    if not isinstance(request.scope.get("session"), dict):
        request.set_session({})
    flash(request, message, category=category)


def safe_next(target: str | None, default: str = "/") -> str:
    """`target` when it is a path on this site, else `default`: a link followed after signing in or
    after opening a notification must never send people to another site.

    Browsers drop tabs and newlines from addresses and read a backslash as a slash, so a backslash
    or a tab after the first slash would make it `//evil.example`: any control character, space or
    backslash refuses the target, as does anything with a scheme or a host."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target or any(ord(character) < 0x21 or ord(character) == 0x7F for character in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


def already_sent(request: Request, sent: AlreadySent) -> Response:
    """Exception handler: a form sent a second time (see `core.submissions`) leads to what the first
    sending made. htmx gets `HX-Redirect` (a redirect would be followed inside the page fragment)."""
    if request.headers.get("hx-request"):
        return Response(content=None, status_code=200, headers={"HX-Redirect": sent.location})
    return see_other(sent.location)


def see_other(path: str) -> Redirect:
    """After a POST, send the browser to a page it can reload safely."""
    return Redirect(path, status_code=HTTP_303_SEE_OTHER)


@get("/{unknown:path}", name="not_found", include_in_schema=False, sync_to_thread=False)
def not_found(unknown: FromPath[PurePosixPath]) -> None:
    """Unknown addresses still pass through the session and request-context middleware, so the 404
    page is in the reader's language and shows them signed in."""
    raise NotFoundException()


def found(value: T | None) -> T:
    """`value`, or a 404 page when there is nothing: what a person cannot reach does not exist for them."""
    if value is None:
        raise NotFoundException()
    return value
