"""SQLite done right: WAL, foreign keys, a busy timeout, and writes through one connection."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from workspace.core.db import Database

pytestmark = pytest.mark.sqlite_only


async def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(db: Database):
    async with db.session(write=False) as session:
        assert (await session.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await session.execute(text("PRAGMA foreign_keys"))).scalar() == 1
        assert (await session.execute(text("PRAGMA busy_timeout"))).scalar() >= 5000


async def test_sqlite_writes_go_through_a_single_connection(db: Database):
    assert db.writer.pool.size() == 1
    assert db.reader is not db.writer


async def test_sqlite_write_transactions_begin_immediate(db: Database):
    statements: list[str] = []
    from sqlalchemy import event

    def remember(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.writer.sync_engine, "before_cursor_execute", remember)
    try:
        async with db.transaction() as session:
            await session.execute(text("SELECT 1"))
    finally:
        event.remove(db.writer.sync_engine, "before_cursor_execute", remember)
    assert statements[0] == "BEGIN IMMEDIATE"


async def test_many_concurrent_writers_all_land_without_database_locked(db: Database):
    async with db.transaction() as session:
        await session.execute(text("CREATE TABLE counter (n INTEGER)"))
        await session.execute(text("INSERT INTO counter VALUES (0)"))

    async def increment() -> None:
        async with db.transaction() as session:
            value = (await session.execute(text("SELECT n FROM counter"))).scalar()
            await asyncio.sleep(0)
            await session.execute(text("UPDATE counter SET n = :n"), {"n": value + 1})

    await asyncio.gather(*(increment() for _ in range(50)))
    async with db.session(write=False) as session:
        assert (await session.execute(text("SELECT n FROM counter"))).scalar() == 50
