"""What differs between SQLite and PostgreSQL in the statements the services write."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def dialect_of(session: AsyncSession) -> str:
    """ "sqlite" or "postgresql": the database the session talks to."""
    return session.bind.dialect.name if session.bind is not None else "sqlite"


def insert_or_skip(session: AsyncSession, model: Any) -> postgresql.Insert | sqlite.Insert:
    """An INSERT in the session's dialect, which can then skip a row already there
    (`.on_conflict_do_nothing(index_elements=[...])`): both dialects spell it alike."""
    if dialect_of(session) == "postgresql":
        return postgresql.insert(model)
    return sqlite.insert(model)
