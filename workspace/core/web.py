"""Helpers the route handlers share: the request's database session, the signed-in user, forms."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import PurePosixPath
from typing import Any

from litestar import Request, get
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException, NotFoundException
from litestar.handlers import BaseRouteHandler
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect
from litestar.status_codes import HTTP_303_SEE_OTHER
from sqlalchemy.ext.asyncio import AsyncSession

from workspace.accounts.models import User
from workspace.core.forms import Form

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

DbSession = NamedDependency[AsyncSession]
"""The request's database session (see provide_db_session)."""
CurrentUser = NamedDependency[User | None]
"""The signed-in user, or None."""


async def provide_db_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request: unsafe methods write (committed when the handler succeeds)."""
    write = request.method not in SAFE_METHODS
    async with request.app.state.db.session(write=write) as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        if write:
            await session.commit()


def current_user(connection: ASGIConnection[Any, Any, Any, Any]) -> User | None:
    user = connection.scope.get("user")
    return user if isinstance(user, User) else None


async def provide_user(request: Request) -> User | None:
    return current_user(request)


async def requires_user(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    if current_user(connection) is None:
        raise NotAuthorizedException()


async def requires_admin(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    user = current_user(connection)
    if user is None:
        raise NotAuthorizedException()
    if not user.is_admin:
        raise NotFoundException()


def signed_in(request: Request) -> User:
    user = current_user(request)
    if user is None:
        raise NotAuthorizedException()
    return user


async def read_form(request: Request) -> Form:
    data = await request.form()
    return Form.from_data(data.dict())


def notify(request: Request, message: str, category: str = "success") -> None:
    """Leave a message for the next page the person sees."""
    if not isinstance(request.scope.get("session"), dict):
        request.set_session({})
    flash(request, message, category=category)


def safe_next(target: str | None, default: str = "/") -> str:
    """Only local paths: a sign-in link must not send people to another site."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


def see_other(path: str) -> Redirect:
    """After a POST, send the browser to a page it can reload safely."""
    return Redirect(path, status_code=HTTP_303_SEE_OTHER)


@get("/{unknown:path}", name="not_found", include_in_schema=False, sync_to_thread=False)
def not_found(unknown: FromPath[PurePosixPath]) -> None:
    """Unknown addresses still pass through the session and request-context middleware, so the 404
    page is in the reader's language and shows them signed in."""
    raise NotFoundException()
