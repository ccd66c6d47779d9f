"""Server-side sessions kept in the database, and the session id renewed at sign-in."""

from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.middleware.session.server_side import ServerSideSessionBackend, ServerSideSessionConfig
from litestar.stores.base import Store
from litestar.types import Empty
from litestar.utils.dataclass import extract_dataclass_items
from sqlalchemy import bindparam, delete, select, update

from workspace.accounts.middleware import LOADED_USER_KEY, SESSION_EPOCH_KEY, SESSION_USER_KEY
from workspace.accounts.models import StoredSession, User
from workspace.core import kept
from workspace.core.db import Database
from workspace.core.tokens import utcnow

RENEW_SESSION_KEY = "_renew_session_id"
LOADED_SESSION_KEY = "_session_as_loaded"
LOADED_EXPIRY_KEY = "_session_expiry_as_loaded"
# A session is written back only when its data changed or its expiry is this close.
_REFRESH_MARGIN = timedelta(hours=1)


_LOAD = select(StoredSession.value, StoredSession.expires_at).where(StoredSession.key == bindparam("key"))
"""Built once: every request with a session cookie runs it."""


def _signed_in_id(value: bytes) -> UUID | None:
    try:
        raw_id = json.loads(value).get(SESSION_USER_KEY)
        return UUID(str(raw_id)) if raw_id else None
    except (ValueError, AttributeError, TypeError):
        return None


class DatabaseSessionStore(Store):
    """A litestar Store on the `stored_session` table: reads use the pool, writes the writer."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def set(self, key: str, value: str | bytes, expires_in: int | timedelta | None = None) -> None:
        data = value.encode() if isinstance(value, str) else value
        expires_at = None
        if expires_in is not None:
            seconds = expires_in.total_seconds() if isinstance(expires_in, timedelta) else expires_in
            expires_at = utcnow() + timedelta(seconds=seconds)
        async with self.db.session(write=False) as session:
            existing = await session.get(StoredSession, key)
            if existing is not None and existing.value == data:
                fresh = expires_at is None or (
                    existing.expires_at is not None and existing.expires_at > expires_at - _REFRESH_MARGIN
                )
                if fresh:
                    return
        async with self.db.transaction() as session:
            row = await session.get(StoredSession, key)
            if row is None:
                session.add(StoredSession(key=key, value=data, expires_at=expires_at))
            else:
                row.value = data
                row.expires_at = expires_at

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        loaded = await self.load(key)
        return loaded[0] if loaded else None

    async def load(self, key: str) -> tuple[bytes, datetime | None] | None:
        """The session's data and expiry, or None when it is unknown or expired (one query)."""
        loaded = await self.load_with_user(key, with_user=False)
        return (loaded[0], loaded[1]) if loaded else None

    async def load_with_user(
        self, key: str, *, with_user: bool = True
    ) -> tuple[bytes, datetime | None, User | None] | None:
        """The session, and the account it signs in, in one read session: every signed-in request needs
        both, before anything else. The account is loaded as usual by the ORM and detached when the
        session closes, its columns loaded (the request's `user`)."""
        async with self.db.session(write=False) as session:
            row = (await session.execute(_LOAD, {"key": key})).first()
            if row is None or (row.expires_at is not None and row.expires_at <= utcnow()):
                return None
            user_id = _signed_in_id(row.value) if with_user else None
            user = await session.get(User, user_id) if user_id is not None else None
        return row.value, row.expires_at, user

    async def delete(self, key: str) -> None:
        async with self.db.transaction() as session:
            await session.execute(delete(StoredSession).where(StoredSession.key == key))

    async def touch(self, key: str, expires_in: int, *, expires_at: datetime | None = None) -> bool:
        """Extend a session's life without writing its data (which another request may have changed).

        Only when its expiry is near: True when it was extended. `expires_at`, when the caller read it
        already, saves a query."""
        wanted = utcnow() + timedelta(seconds=expires_in)
        if expires_at is None:
            async with self.db.session(write=False) as session:
                expires_at = await session.scalar(select(StoredSession.expires_at).where(StoredSession.key == key))
        if expires_at is None or expires_at > wanted - _REFRESH_MARGIN:
            return False
        async with self.db.transaction() as session:
            await session.execute(update(StoredSession).where(StoredSession.key == key).values(expires_at=wanted))
        return True

    async def delete_all(self) -> None:
        async with self.db.transaction() as session:
            await session.execute(delete(StoredSession))

    async def delete_expired(self) -> None:
        async with self.db.transaction() as session:
            await session.execute(delete(StoredSession).where(StoredSession.expires_at <= utcnow()))

    async def exists(self, key: str) -> bool:
        return await self.get(key) is not None

    async def expires_in(self, key: str) -> int | None:
        async with self.db.session(write=False) as session:
            expires_at = await session.scalar(select(StoredSession.expires_at).where(StoredSession.key == key))
        if expires_at is None:
            return None
        return max(0, int((expires_at - utcnow()).total_seconds()))


class RenewableSessionBackend(ServerSideSessionBackend):
    """Gives the session a fresh id when a handler asks for it (at sign-in: no session fixation), writes
    the session back only when the request changed it, and stores none for a request that came without
    one and leaves nothing in it (a visitor's GET, a health check).

    Writing back an unchanged copy would undo what a concurrent request of the same person stored
    meanwhile (a flash message lost because an htmx preview request finished after the save).
    """

    async def load_from_connection(self, connection: ASGIConnection) -> dict[str, Any]:
        state = connection.scope.setdefault("state", {})
        store = self.config.get_store_from_app(connection.scope["app"])
        session_id = connection.cookies.get(self.config.key)
        data: dict[str, Any] = {}
        if session_id and isinstance(store, DatabaseSessionStore):
            loaded = await store.load_with_user(session_id)
            if loaded is not None:
                data = self.deserialize_data(loaded[0])
                state[LOADED_EXPIRY_KEY] = loaded[1]
                state[LOADED_USER_KEY] = loaded[2]
        elif session_id:
            data = await super().load_from_connection(connection)
        state[LOADED_SESSION_KEY] = self.serialize_data(data) if data else None
        return data

    def get_session_id(self, connection: ASGIConnection) -> str:
        state = connection.scope.setdefault("state", {})
        renewal = state.get(RENEW_SESSION_KEY)
        if renewal is True:
            state[RENEW_SESSION_KEY] = secrets.token_hex(self.config.session_id_bytes)
            return state[RENEW_SESSION_KEY]
        if isinstance(renewal, str):
            return renewal
        return super().get_session_id(connection)

    async def store_in_message(self, scope_session, message, connection) -> None:
        if not connection.cookies.get(self.config.key) and (scope_session is Empty or scope_session == {}):
            return  # nothing to store, nothing stored before: no row, no cookie (a visitor, a health check)
        state = connection.scope.setdefault("state", {})
        loaded = state.get(LOADED_SESSION_KEY)
        unchanged = (
            loaded is not None
            and state.get(RENEW_SESSION_KEY) is None
            and isinstance(scope_session, dict)
            and self.serialize_data(scope_session) == loaded
        )
        if unchanged:
            store = self.config.get_store_from_app(connection.scope["app"])
            session_id = connection.cookies.get(self.config.key)
            if (
                session_id
                and isinstance(store, DatabaseSessionStore)
                and self.config.max_age
                and await store.touch(session_id, self.config.max_age, expires_at=state.get(LOADED_EXPIRY_KEY))
            ):
                cookie_params = dict(
                    extract_dataclass_items(self.config, exclude_none=True, include=Cookie.__dict__.keys())
                )
                MutableScopeHeaders.from_message(message).add(
                    "Set-Cookie", Cookie(value=session_id, key=self.config.key, **cookie_params).to_header(header="")
                )
            return
        if state.get(RENEW_SESSION_KEY) is True:
            old_id = connection.cookies.get(self.config.key)
            if old_id:
                await self.delete(old_id, store=self.config.get_store_from_app(connection.scope["app"]))
        await super().store_in_message(scope_session, message, connection)


class RenewableSessionConfig(ServerSideSessionConfig):
    _backend_class = RenewableSessionBackend


def renew_session(connection: ASGIConnection) -> None:
    connection.scope.setdefault("state", {})[RENEW_SESSION_KEY] = True


def open_signed_in_session(request: Request, user: User) -> None:
    """A fresh session id (no fixation) that carries who signed in and their current session epoch, and
    what they sent while signed out (`core.kept`), unless it was sent from another person's session."""
    data: dict[str, Any] = {SESSION_USER_KEY: str(user.id), SESSION_EPOCH_KEY: user.session_epoch or 0}
    submission = kept.kept(request.scope.get("session"))
    if submission is not None and submission.for_user in (None, str(user.id)):
        data[kept.KEPT_KEY] = submission.to_session()
    renew_session(request)
    request.set_session(data)


class SessionWatch:
    """The person behind a long-lived request (a live stream), read again from the session store each
    time it is checked.

    `check()` is False once they are no longer signed in as they were when the request began (signed
    out, signed out everywhere, password reset, deactivated or erased); `user` is then their account as
    it is now, so that a role or admin flag taken away meanwhile no longer counts. A reader who was not
    signed in stays an anonymous reader: `check()` is always True for them."""

    def __init__(self, store: Store, session_key: str | None, user: User | None) -> None:
        self._store = store
        self._session_key = session_key
        self._user_id = user.id if user is not None else None
        self.user = user

    @classmethod
    def of(cls, request: Request) -> SessionWatch:
        user = request.scope.get("user")
        store = request.app.stores.get("sessions")
        session_key = request.cookies.get(request.app.state.settings.session_cookie_name)
        return cls(store, session_key, user if isinstance(user, User) else None)

    async def check(self) -> bool:
        if self._user_id is None:
            return True
        now = await self._signed_in_now()
        if now is None:
            self.user = None
            return False
        self.user = now
        return True

    async def _signed_in_now(self) -> User | None:
        if not self._session_key or not isinstance(self._store, DatabaseSessionStore):
            return None
        loaded = await self._store.load_with_user(self._session_key)
        if loaded is None or loaded[2] is None:
            return None
        value, _expiry, user = loaded
        if user is None:
            return None
        try:
            epoch = json.loads(value).get(SESSION_EPOCH_KEY, 0)
        except (ValueError, AttributeError):
            return None
        if user.id != self._user_id or not user.is_active or user.deleted_at is not None:
            return None
        return user if epoch == user.session_epoch else None
