"""SQLite's rules: WAL, one writer whose transactions begin IMMEDIATE, and checkpoints off the request path.

Every connection is an ordinary aiosqlite connection: its statements run on a thread of its own, so a
long read (a dossier export, a search) or a wait for another process's lock (SQLite's `busy_timeout`)
occupies that thread, never the event loop.

Checkpoints (copying the write-ahead log back into the database file, with an fsync) do not run in
the commit that crosses SQLite's threshold, as they would by default: with readers always active the
log cannot be reset, so every later commit tried again. A `Checkpointer` thread does them instead;
commits only checkpoint if it falls 10,000 pages (40 MB) behind.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import unicodedata
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

BUSY_TIMEOUT_MS = 10_000
"""How long a statement waits, on its connection's thread, for a lock another process holds."""

PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
    f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}",
    "PRAGMA temp_store=MEMORY",
    "PRAGMA wal_autocheckpoint=10000",
    "PRAGMA journal_size_limit=67108864",
)
CHECKPOINT_INTERVAL = 0.5
"""Seconds between two checkpoints of the write-ahead log."""

logger = logging.getLogger(__name__)


def prepare(engine: AsyncEngine, *, begin: str, checkpointer: Checkpointer | None = None) -> None:
    """Pragmas on every new connection, and transactions that `begin` as said ("BEGIN IMMEDIATE" for the
    writer, so that no other writer slips in between a transaction's reads and its writes).

    SQLAlchemy's documented recipe for pysqlite and aiosqlite: the driver's own transaction handling is
    switched off, and the "begin" event emits BEGIN, here straight on the aiosqlite connection
    (`run_async`, one hand-off to its thread instead of three for a cursor).

    A connection going back to the pool keeps the pool's own rollback, queued on the connection's
    thread behind whatever is still running there. Skipping it when aiosqlite's `in_transaction` said
    no transaction was open saved a hand-off, but that flag is read on the event loop: a request
    cancelled during its BEGIN (a client gone) returned a connection whose BEGIN ran just after, and
    the next session on it failed with "cannot start a transaction within a transaction"."""

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        dbapi_connection.create_function(FOLD_FUNCTION, 1, folded_words, deterministic=True)
        cursor = dbapi_connection.cursor()
        for pragma in PRAGMAS:
            cursor.execute(pragma)
        cursor.close()
        if checkpointer is not None:
            checkpointer.start()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.connection.dbapi_connection.run_async(lambda driver: driver.execute(begin))


FOLD_FUNCTION = "passerelle_folded_words"


def folded_words(text: str | None) -> str:
    """Its words lower-cased, without accents, each after a space: `instr(folded, ' ' || word)` finds a word
    by its beginning, as the full-text search does (SQLite's own lower() folds ASCII only)."""
    if not text:
        return " "
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    letters = "".join(char if char.isalnum() else " " for char in decomposed if not unicodedata.combining(char))
    return " " + " ".join(letters.split()) + " "


def is_busy(error: BaseException) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    if code is None:
        return "database is locked" in str(error)
    return code & 0xFF == sqlite3.SQLITE_BUSY


def is_interrupted(error: BaseException) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    if code is None:
        return str(error) == "interrupted"
    return code & 0xFF == sqlite3.SQLITE_INTERRUPT


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
            thread.join(timeout=BUSY_TIMEOUT_MS / 1000)

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
            if not is_busy(error):  # busy: the next round does it
                logger.warning("Checkpoint of %s failed: %s", self.database, error)
        except sqlite3.Error as error:
            logger.warning("Checkpoint of %s failed: %s", self.database, error)
