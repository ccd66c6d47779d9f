"""Who is asking, and in which language: resolved once per request, before any handler runs."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from workspace.accounts.models import User
from workspace.accounts.signals import page_opened
from workspace.core.i18n import LANGUAGE_COOKIE, choose_language, current_language
from workspace.core.web import SESSION_USER_KEY

LOADED_USER_KEY = "_session_user_as_loaded"
"""Set by the session backend (accounts/sessions.py) when it read the account with the session."""
SESSION_EPOCH_KEY = "epoch"


class RequestContextMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)
    exclude_opt_key = "no_request_context"

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        connection: ASGIConnection[Any, Any, Any, Any] = ASGIConnection(scope)
        user = await self._load_user(scope)
        scope["user"] = user
        if user is not None and self._is_page(scope):
            scope.setdefault("state", {}).update(await self._page_state(scope, user))
        language = choose_language(
            profile_language=user.language.value if user else None,
            cookie_language=connection.cookies.get(LANGUAGE_COOKIE),
            accept_language=connection.headers.get("accept-language"),
        )
        token = current_language.set(language)
        try:
            await next_app(scope, receive, send)
        finally:
            current_language.reset(token)

    @staticmethod
    def _is_page(scope: Scope) -> bool:
        """A whole HTML page is being asked for (not the API, an htmx fragment or a live stream)."""
        if scope.get("method") != "GET" or scope.get("path", "").startswith(("/api/", "/static/")):
            return False
        headers = dict(scope.get("headers", []))
        return b"hx-request" not in headers and b"text/event-stream" not in headers.get(b"accept", b"")

    @staticmethod
    async def _page_state(scope: Scope, user: User) -> dict[str, Any]:
        """What the domains above want every page header to show (the unread count, for one)."""
        state: dict[str, Any] = {}
        for _receiver, values in await page_opened.send_async(user, db=scope["litestar_app"].state.db):
            state.update(values or {})
        return state

    @staticmethod
    async def _load_user(scope: Scope) -> User | None:
        session = scope.get("session")
        if not isinstance(session, dict):
            return None
        raw_id = session.get(SESSION_USER_KEY)
        if not raw_id:
            return None
        try:
            user_id = UUID(str(raw_id))
        except ValueError:
            return None
        state = scope.get("state", {})
        preloaded = state.get(LOADED_USER_KEY)
        if isinstance(preloaded, User) and preloaded.id == user_id:
            user: User | None = preloaded
        else:
            async with scope["litestar_app"].state.db.session(write=False) as db_session:
                user = await db_session.get(User, user_id)
        if user is None or not user.is_active or user.deleted_at is not None:
            return None
        if session.get(SESSION_EPOCH_KEY, 0) != user.session_epoch:
            return None  # signed out everywhere since this session was opened
        return user
