"""SQLite connections that run statements on the event loop's thread instead of a worker thread.

aiosqlite runs every call (execute, fetch, commit, close of a cursor) on a thread of its own and
hands the result back through the event loop: two thread switches per call, about 0.13 ms each on
our 2-core machines, so a ballot (a dozen calls) spent most of its time waiting for threads. A SQLite
statement on a local file takes microseconds, and in WAL mode readers never wait for the writer, so
running the calls inline is cheaper than handing them off.

The one thing that may wait is a lock held by another process (a CLI command, a second worker).
These connections have `busy_timeout=0`: a statement that meets a lock fails at once with
SQLITE_BUSY, and is retried after an `asyncio.sleep` that lets the loop serve other requests, until
`BUSY_TIMEOUT` has passed. A statement that failed with SQLITE_BUSY had no effect, so retrying it is
safe.

Checkpoints (copying the write-ahead log back into the database file, with an fsync) do not run in
the commit that crosses SQLite's threshold, as they would by default: with readers always active the
log cannot be reset, so every later commit tried again, and a commit took 0.4 ms instead of 0.07 ms.
A `Checkpointer` thread does them instead, off the event loop (sqlite3 releases the GIL meanwhile);
commits only checkpoint if it falls 10,000 pages (40 MB) behind.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from collections.abc import Callable
from typing import Any

import aiosqlite

BUSY_TIMEOUT = 10.0
"""Seconds a statement keeps retrying while another process holds the lock it needs."""

PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=0",
    "PRAGMA temp_store=MEMORY",
    "PRAGMA wal_autocheckpoint=10000",
    "PRAGMA journal_size_limit=67108864",
)
CHECKPOINT_INTERVAL = 0.5
"""Seconds between two checkpoints of the write-ahead log."""

logger = logging.getLogger(__name__)


def _is_busy(error: sqlite3.OperationalError) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    if code is None:
        return "database is locked" in str(error)
    return code & 0xFF == sqlite3.SQLITE_BUSY


class InlineConnection(aiosqlite.Connection):
    """An aiosqlite connection whose calls run at once on the caller's thread.

    aiosqlite's worker thread still opens and closes the connection (and SQLAlchemy sets the
    isolation level through it); every other call runs inline.
    """

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        loop = asyncio.get_running_loop()
        deadline: float | None = None
        pause = 0.001
        while True:
            try:
                return fn(*args, **kwargs)
            except sqlite3.OperationalError as error:
                if not _is_busy(error):
                    raise
                now = loop.time()
                deadline = deadline or now + BUSY_TIMEOUT
                if now >= deadline:
                    raise
                await asyncio.sleep(pause)
                pause = min(pause * 2, 0.05)


async def begin(connection: InlineConnection, statement: str) -> None:
    """Open a transaction straight on the driver (a BEGIN through SQLAlchemy's execution machinery
    costs more than the whole query that follows). Waits like any statement if the lock is taken."""
    raw = connection._conn
    await connection._execute(raw.execute, statement)


def inline_connector(database: str) -> Callable[[], InlineConnection]:
    """An `async_creator` for `create_async_engine`: a new inline connection to `database`."""

    def create() -> InlineConnection:
        connection = InlineConnection(
            lambda: sqlite3.connect(database, check_same_thread=False, isolation_level=None),
            iter_chunk_size=64,
        )
        connection._thread.daemon = True
        return connection

    return create


class Checkpointer:
    """Checkpoints one database's write-ahead log every `interval` seconds, from a daemon thread.

    PASSIVE checkpoints never wait for, nor block, readers and writers; `stop` runs a last TRUNCATE
    checkpoint so that a stopped app leaves a small log behind.
    """

    def __init__(self, database: str, *, interval: float = CHECKPOINT_INTERVAL) -> None:
        self.database = database
        self.interval = interval
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._stopping.clear()
                self._thread = threading.Thread(target=self._run, name="sqlite-checkpointer", daemon=True)
                self._thread.start()

    def stop(self) -> None:
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._stopping.set()
            thread.join(timeout=BUSY_TIMEOUT)

    def _run(self) -> None:
        try:
            connection = sqlite3.connect(self.database, check_same_thread=False, isolation_level=None)
        except sqlite3.Error:
            logger.exception("No checkpoints for %s: cannot open it", self.database)
            return
        try:
            connection.execute("PRAGMA busy_timeout=0")
            while not self._stopping.wait(self.interval):
                self._checkpoint(connection, "PASSIVE")
            self._checkpoint(connection, "TRUNCATE")
        finally:
            connection.close()

    def _checkpoint(self, connection: sqlite3.Connection, mode: str) -> None:
        try:
            connection.execute(f"PRAGMA wal_checkpoint({mode})").fetchall()
        except sqlite3.OperationalError as error:
            if not _is_busy(error):  # busy: the next round does it
                logger.warning("Checkpoint of %s failed: %s", self.database, error)
        except sqlite3.Error as error:
            logger.warning("Checkpoint of %s failed: %s", self.database, error)
