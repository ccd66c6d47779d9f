"""The baseline: a bare Litestar endpoint that upserts one ballot row in a SQLite WAL file.

What any ballot endpoint on this stack costs at least: JSON body parsing, one `INSERT ... ON CONFLICT
DO UPDATE` through a single aiosqlite writer connection (as workspace/core/db.py does for SQLite), and
a JSON answer. No session, no CSRF, no permission checks, no ORM.

Run by bench/ballots.py: `uvicorn --factory bench.baseline_app:create_app` with BASELINE_DB set to a
file that `create_schema` prepared.
"""

from __future__ import annotations

import enum
import os
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

import aiosqlite
from litestar import Litestar, Request, put
from litestar.exceptions import NotAuthorizedException
from uuid_utils.compat import uuid7

PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=10000",
    "PRAGMA temp_store=MEMORY",
)
SCHEMA = """
CREATE TABLE IF NOT EXISTS ballot (
    id BLOB PRIMARY KEY,
    recommendation_id BLOB NOT NULL,
    user_id BLOB NOT NULL,
    choice VARCHAR(32) NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (recommendation_id, user_id)
)
"""
UPSERT = (
    "INSERT INTO ballot (id, recommendation_id, user_id, choice, reason, created_at, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (recommendation_id, user_id) DO UPDATE SET "
    "choice = excluded.choice, reason = excluded.reason, updated_at = excluded.updated_at"
)
USER_COOKIE = "user"


class Choice(enum.StrEnum):
    FOR = "for"
    AGAINST = "against"
    ABSTAIN = "abstain"
    BLOCK = "block"


@dataclass
class BallotIn:
    choice: Choice
    reason: str = ""


@dataclass
class BallotOut:
    recommendation_id: UUID
    choice: Choice
    reason: str


def create_schema(path: str) -> None:
    connection = sqlite3.connect(path)
    try:
        for pragma in PRAGMAS:
            connection.execute(pragma)
        connection.execute(SCHEMA)
        connection.commit()
    finally:
        connection.close()


def create_app() -> Litestar:
    path = os.environ["BASELINE_DB"]
    writer: dict[str, aiosqlite.Connection] = {}

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        # Autocommit: each upsert is its own transaction, and aiosqlite runs one statement at a time.
        connection = await aiosqlite.connect(path, isolation_level=None)
        for pragma in PRAGMAS:
            await connection.execute(pragma)
        writer["connection"] = connection
        try:
            yield
        finally:
            await connection.close()

    @put("/api/recommendations/{recommendation_id:uuid}/ballot", status_code=200)
    async def put_ballot(request: Request, recommendation_id: UUID, data: BallotIn) -> BallotOut:
        raw_user = request.cookies.get(USER_COOKIE)
        if not raw_user:
            raise NotAuthorizedException()
        user_id = UUID(raw_user)
        reason = data.reason if data.choice != Choice.FOR else ""
        now = datetime.now(UTC).isoformat()
        await writer["connection"].execute(
            UPSERT, (uuid7().bytes, recommendation_id.bytes, user_id.bytes, data.choice.value, reason, now, now)
        )
        return BallotOut(recommendation_id=recommendation_id, choice=data.choice, reason=reason)

    return Litestar(route_handlers=[put_ballot], lifespan=[lifespan])
