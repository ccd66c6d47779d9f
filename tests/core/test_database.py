"""SQLite done right: WAL, foreign keys, waiting for locks without blocking, writes through one connection,
checkpoints off the event loop."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from workspace.core.db import Database

pytestmark = pytest.mark.sqlite_only


async def test_sqlite_connections_use_wal_and_foreign_keys(db: Database):
    async with db.session(write=False) as session:
        assert (await session.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await session.execute(text("PRAGMA foreign_keys"))).scalar() == 1


async def test_a_write_waits_for_another_process_lock_while_the_server_keeps_answering(db: Database):
    """Another process (a CLI command) holds the write lock for a while: the write lands once it is
    released, and meanwhile the event loop goes on serving (the wait is an asyncio sleep)."""
    async with db.transaction() as session:
        await session.execute(text("CREATE TABLE note (body TEXT)"))
    other = sqlite3.connect(db.writer.url.database, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO note VALUES ('from the other process')")
    ticks = 0

    async def keep_answering() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    async def write() -> None:
        async with db.transaction() as session:
            await session.execute(text("INSERT INTO note VALUES ('from the server')"))

    ticker = asyncio.create_task(keep_answering())
    writing = asyncio.create_task(write())
    await asyncio.sleep(0.3)
    assert not writing.done()
    other.execute("COMMIT")
    other.close()
    await asyncio.wait_for(writing, timeout=5)
    ticker.cancel()
    assert ticks >= 10
    async with db.session(write=False) as session:
        bodies = (await session.execute(text("SELECT body FROM note ORDER BY rowid"))).scalars().all()
    assert bodies == ["from the other process", "from the server"]


async def test_sqlite_writes_go_through_a_single_connection(db: Database):
    assert db.writer.pool.size() == 1
    assert db.reader is not db.writer


async def test_sqlite_write_transactions_begin_immediate(db: Database):
    """A write transaction takes SQLite's write lock when it begins, not at its first write: no other
    writer can slip in between its reads and its writes."""
    other = sqlite3.connect(db.writer.url.database, isolation_level=None, timeout=0)
    try:
        async with db.transaction() as session:
            await session.execute(text("SELECT 1"))
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
    finally:
        other.close()


async def test_sqlite_read_sessions_do_not_lock(db: Database):
    other = sqlite3.connect(db.writer.url.database, isolation_level=None, timeout=0)
    try:
        async with db.session(write=False) as session:
            await session.execute(text("SELECT 1"))
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
    finally:
        other.close()


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


async def test_commits_leave_checkpoints_to_a_thread_that_moves_the_log_into_the_database_file(db: Database, tmp_path):
    """Readers are always active on a busy server: commits do not checkpoint (they would try again at
    every commit) unless the thread falls far behind; a thread of its own does, so the rows reach the
    database file itself."""
    async with db.transaction() as session:
        assert (await session.execute(text("PRAGMA wal_autocheckpoint"))).scalar() == 10_000
        await session.execute(text("CREATE TABLE note (body TEXT)"))
    async with db.session(write=False) as reader:
        await reader.execute(text("SELECT 1"))
        for index in range(20):
            async with db.transaction() as session:
                await session.execute(text("INSERT INTO note VALUES (:body)"), {"body": f"note {index}"})
    for _ in range(100):
        await asyncio.sleep(0.1)
        if await asyncio.to_thread(_notes_in_file_alone, Path(db.writer.url.database), tmp_path) == 20:
            break
    else:
        pytest.fail("the write-ahead log was not checkpointed into the database file")


def _notes_in_file_alone(database: Path, scratch: Path) -> int:
    """Rows of `note` in the database file without its write-ahead log."""
    copy = scratch / "file-alone.sqlite3"
    copy.write_bytes(database.read_bytes())
    with contextlib.closing(sqlite3.connect(copy)) as connection:
        if not connection.execute("SELECT count(*) FROM sqlite_master WHERE name = 'note'").fetchone()[0]:
            return 0
        return connection.execute("SELECT count(*) FROM note").fetchone()[0]


async def test_a_stopped_app_leaves_no_write_ahead_log_behind(tmp_path):
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'stopped.sqlite3'}")
    async with database.transaction() as session:
        await session.execute(text("CREATE TABLE note (body TEXT)"))
        await session.execute(text("INSERT INTO note VALUES ('kept')"))
    await database.dispose()
    log = tmp_path / "stopped.sqlite3-wal"
    assert not log.exists() or log.stat().st_size == 0
    with contextlib.closing(sqlite3.connect(tmp_path / "stopped.sqlite3")) as connection:
        assert connection.execute("SELECT body FROM note").fetchall() == [("kept",)]


async def test_writers_get_the_single_writer_connection_in_the_order_they_asked(db: Database):
    """Behind one writer connection, a request must not be overtaken again and again by newcomers (it
    once waited seconds under load): the connection goes to whoever has waited longest."""
    async with db.transaction() as session:
        await session.execute(text("CREATE TABLE turn (name TEXT)"))
    served: list[int] = []

    async def write(number: int) -> None:
        async with db.transaction() as session:
            await session.execute(text("INSERT INTO turn VALUES (:name)"), {"name": str(number)})
            served.append(number)
            await asyncio.sleep(0)  # holds the writer across a turn of the loop, as a request may

    waves = []
    for wave in range(5):
        waves += [asyncio.create_task(write(wave * 10 + number)) for number in range(10)]
        await asyncio.sleep(0)
    await asyncio.gather(*waves)
    assert served == sorted(served)


async def test_a_request_cancelled_as_the_writer_reaches_it_does_not_take_the_writer_away(db: Database):
    """A live stream closed by its reader, or a timeout, can cancel a request in the very turn the single
    writer connection is handed to it: the connection must go back to the pool, not be lost."""
    async with db.transaction() as session:
        await session.execute(text("CREATE TABLE note (body TEXT)"))

    async def write(body: str) -> None:
        async with db.transaction() as session:
            await session.execute(text("INSERT INTO note VALUES (:body)"), {"body": body})

    async with contextlib.AsyncExitStack() as stack:
        holder = await stack.enter_async_context(db.session(write=True))
        await holder.execute(text("INSERT INTO note VALUES ('first')"))
        waiting = asyncio.create_task(write("cancelled"))
        await asyncio.sleep(0.05)
        await holder.commit()
    waiting.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await waiting
    await asyncio.wait_for(write("after"), timeout=5)
    async with db.session(write=False) as session:
        bodies = (await session.execute(text("SELECT body FROM note"))).scalars().all()
    assert "after" in bodies
