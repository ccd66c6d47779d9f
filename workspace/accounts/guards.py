"""Who is asking, for route handlers: guards that let only signed-in people (or admins) through, and
the person as a dependency (`user`: maybe nobody; `me`: someone, behind `requires_user`)."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotAuthorizedException, NotFoundException
from litestar.handlers import BaseRouteHandler

from workspace.accounts.models import User
from workspace.core.web import keep_for_later

CurrentUser = NamedDependency[User | None]
"""The signed-in person, or None: the `user` dependency."""
SignedIn = NamedDependency[User]
"""The signed-in person, on a route behind `requires_user`: the `me` dependency."""


def current_user(connection: ASGIConnection[Any, Any, Any, Any]) -> User | None:
    user = connection.scope.get("user")
    return user if isinstance(user, User) else None


async def requires_user(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Someone signed in; otherwise they are sent to sign in, and a form they sent is kept for them."""
    if current_user(connection) is None:
        await keep_for_later(connection)
        raise NotAuthorizedException()


async def requires_admin(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """An admin; anyone else signed in is told the page does not exist."""
    user = current_user(connection)
    if user is None:
        raise NotAuthorizedException()
    if not user.is_admin:
        raise NotFoundException()


async def _provide_user(request: Request[Any, Any, Any]) -> User | None:
    return current_user(request)


async def _provide_me(request: Request[Any, Any, Any]) -> User:
    user = current_user(request)
    if user is None:
        raise NotAuthorizedException()
    return user


DEPENDENCIES = {"user": Provide(_provide_user), "me": Provide(_provide_me)}
"""The app-wide dependencies for `CurrentUser` and `SignedIn`."""


def signed_in(request: Request[Any, Any, Any]) -> User:
    user = current_user(request)
    if user is None:
        raise NotAuthorizedException()
    return user
