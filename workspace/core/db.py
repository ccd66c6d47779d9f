"""Engines and sessions: one SQLite writer, reads off the event loop, a time limit on what requests run.

SQLite has one writer. Writers racing on a pool of connections make its busy handler sleep
(p99 ~780 ms at 10 clients here, against ~13 ms with one writer), so on SQLite every write
transaction goes through a single writer connection and begins IMMEDIATE, while reads use a pool of
their own (workspace/core/sqlite.py). Every SQLite connection runs its statements on its own aiosqlite
thread, so a heavy read occupies a thread, not the event loop. PostgreSQL uses one pool for both.

Sessions wait for their turn first come, first served (`_Turns`), then take a connection the pool
is sure to have: SQLAlchemy's asyncio queue lets a newcomer take a connection just returned for a
waiter, who then queues again at the back, and behind a single writer some requests waited seconds.

Every statement of a request's session has `REQUEST_TIME_LIMIT` seconds; past that it is stopped
(SQLite: `interrupt()` from a timer on the event loop; PostgreSQL: `statement_timeout`) and
`TimeLimitReached` is raised, which the error pages turn into "this took too long". On PostgreSQL a
request's write statements have `TURN_TIMEOUT` instead: their time includes waiting for rows another
write holds (twenty people saving the same text queue there), the wait a SQLite writer has for its turn. Background work
(exports, the command line) asks for no limit: it runs on a connection of its own, which no request
waits for, and failing it after a few seconds would only make a large dossier impossible to export.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine

from workspace.core import sqlite

REQUEST_TIME_LIMIT = 5.0
"""Seconds a statement run for a request may take. The consolidation page of a cycle of 300
recommendations and 20,000 comments (bench/exports.py's) builds its content in about 1 s, its slowest
statement taking 0.08 s on the loaded 2-core development machine."""
TURN_TIMEOUT = 60.0
"""Seconds a session waits for its turn before the request is given up as taking too long."""
TIME_LIMIT = "passerelle_time_limit"
"""The execution option that carries a statement's time limit in seconds (None: no limit)."""
_QUERY_CANCELED = "57014"
"""PostgreSQL's SQLSTATE for a statement stopped by statement_timeout."""


class TimeLimitReached(Exception):
    """A statement ran past its time limit and was stopped; its transaction is rolled back."""


class _Turns:
    """First come, first served permits to an engine's connections, one semaphore per event loop
    (asyncio's semaphores are FIFO and hand a released permit to the longest waiter)."""

    def __init__(self, permits: int) -> None:
        self.permits = permits
        self._semaphores: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary()
        )

    def semaphore(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        semaphore = self._semaphores.get(loop)
        if semaphore is None:
            semaphore = self._semaphores[loop] = asyncio.Semaphore(self.permits)
        return semaphore


class _Watch:
    """Stops one SQLite statement if it is still running when its time is up.

    `interrupt()` is the one sqlite3 call meant to be made from another thread than the statement's;
    the check that the statement is still running happens on the event loop, which is also where it
    is marked finished, so a later statement on the same connection is never the one stopped."""

    __slots__ = ("_driver", "_timer", "fired", "running")

    def __init__(self, driver: Any, seconds: float) -> None:
        self._driver = driver
        self.running = True
        self.fired = False
        self._timer = asyncio.get_running_loop().call_later(seconds, self._expire)

    def _expire(self) -> None:
        if self.running:
            self.fired = True
            _interrupts.add(task := asyncio.get_running_loop().create_task(self._interrupt()))
            task.add_done_callback(_interrupts.discard)

    async def _interrupt(self) -> None:
        if self.running:
            await self._driver.interrupt()

    def stop(self) -> None:
        self.running = False
        self._timer.cancel()


_interrupts: set[asyncio.Task[None]] = set()
_WATCH = "passerelle_statement_watch"


def _forget_watch(info: dict[str, Any]) -> None:
    watch = info.pop(_WATCH, None)
    if watch is not None:
        watch.stop()


def _limit_sqlite_statements(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _start(connection: Any, _cursor: Any, _statement: Any, _parameters: Any, context: Any, _many: Any) -> None:
        seconds = (context.execution_options if context is not None else connection.get_execution_options()).get(
            TIME_LIMIT
        )
        _forget_watch(connection.info)
        if seconds is not None:
            connection.info[_WATCH] = _Watch(connection.connection.driver_connection, seconds)

    @event.listens_for(engine.sync_engine, "after_cursor_execute")
    def _stop(connection: Any, *_args: Any) -> None:
        _forget_watch(connection.info)

    @event.listens_for(engine.sync_engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        """A statement cancelled midway (its request was) must not leave a timer that would stop the
        next user's statement."""
        _forget_watch(record.info)

    @event.listens_for(engine.sync_engine, "handle_error")
    def _translate(context: Any) -> None:
        watch = context.connection.info.pop(_WATCH, None) if context.connection is not None else None
        if watch is None:
            return
        watch.stop()
        if watch.fired and sqlite.is_interrupted(context.original_exception):
            raise TimeLimitReached(str(context.statement)[:200]) from context.original_exception


def _limit_postgresql_statements(engine: AsyncEngine, connected_with: float) -> None:
    """Every connection starts with the request limit as its `statement_timeout` (nothing to pay per
    request); a session bound with another limit, or none, sets it for its own transaction."""

    @event.listens_for(engine.sync_engine, "begin")
    def _set(connection: Any) -> None:
        seconds = connection.get_execution_options().get(TIME_LIMIT, connected_with)
        if seconds != connected_with:
            connection.exec_driver_sql(f"SET LOCAL statement_timeout = {int(seconds * 1000) if seconds else 0}")

    @event.listens_for(engine.sync_engine, "handle_error")
    def _translate(context: Any) -> None:
        if getattr(context.original_exception, "sqlstate", None) == _QUERY_CANCELED:
            raise TimeLimitReached(str(context.statement)[:200]) from context.original_exception


_GIVE_BACK = "passerelle.give_back"


async def give_back(session: AsyncSession) -> None:
    """Close a session from `Database.session` before its block ends, and give its turn (on SQLite, the
    one writer) to the next in line. For a request refused while its dependencies are resolved:
    Litestar then never finishes the request session's dependency, which would hold the turn."""
    await session.close()
    session.info.pop(_GIVE_BACK, lambda: None)()


class Database:
    """The reader and writer engines of one app, and sessions on them."""

    def __init__(
        self,
        url: str,
        *,
        echo: bool = False,
        request_time_limit: float = REQUEST_TIME_LIMIT,
        write_time_limit: float | None = None,
        pool_size: int = 10,
        max_overflow: int = 10,
    ) -> None:
        """`pool_size` and `max_overflow` size PostgreSQL's pool and SQLite's readers (the SQLite writer is
        always one connection): every process holds up to their sum."""
        self.url = url
        self.request_time_limit = request_time_limit
        """Seconds each statement of a request's session may take."""
        self.is_sqlite = url.startswith("sqlite")
        self.write_time_limit = write_time_limit or (request_time_limit if self.is_sqlite else TURN_TIMEOUT)
        """Seconds each statement of a request's write session may take: on PostgreSQL, lock waits included."""
        self.checkpointer: sqlite.Checkpointer | None = None
        if self.is_sqlite:
            database = make_url(url).database
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
                self.checkpointer = sqlite.Checkpointer(database)
            self.writer = create_async_engine(url, echo=echo, pool_size=1, max_overflow=0)
            self.reader = create_async_engine(url, echo=echo, pool_size=pool_size, max_overflow=max_overflow)
            sqlite.prepare(self.writer, begin="BEGIN IMMEDIATE", checkpointer=self.checkpointer)
            sqlite.prepare(self.reader, begin="BEGIN")
            _limit_sqlite_statements(self.writer)
            _limit_sqlite_statements(self.reader)
            self._turns = {self.writer: _Turns(1), self.reader: _Turns(pool_size + max_overflow)}
        else:
            timeout_ms = str(int(request_time_limit * 1000))
            self.writer = create_async_engine(
                url,
                echo=echo,
                pool_size=pool_size,
                max_overflow=max_overflow,
                pool_pre_ping=True,
                connect_args={"server_settings": {"statement_timeout": timeout_ms}},
            )
            self.reader = self.writer
            _limit_postgresql_statements(self.writer, request_time_limit)
            self._turns = {self.writer: _Turns(pool_size + max_overflow)}
        self._bound: dict[tuple[AsyncEngine, float | None], AsyncEngine] = {}

    def _bind(self, engine: AsyncEngine, time_limit: float | None) -> AsyncEngine:
        """`engine` with `time_limit` on every statement (an engine sharing its pool, made once)."""
        key = (engine, time_limit)
        bound = self._bound.get(key)
        if bound is None:
            bound = self._bound[key] = engine.execution_options(**{TIME_LIMIT: time_limit})
        return bound

    @asynccontextmanager
    async def session(self, *, write: bool, background: bool = False) -> AsyncIterator[AsyncSession]:
        """A session once it is this caller's turn (first come, first served); on SQLite `write`
        sessions take the single writer. Each statement may take `request_time_limit` seconds
        (`write_time_limit` in a write session), or as long as it needs in a `background` session
        (exports, the command line)."""
        engine = self.writer if write else self.reader
        limit = None if background else self.write_time_limit if write else self.request_time_limit
        turn = self._turns[engine].semaphore()
        try:
            async with asyncio.timeout(TURN_TIMEOUT):
                await turn.acquire()
        except TimeoutError as error:
            raise TimeLimitReached(f"no connection after {TURN_TIMEOUT:g} s") from error
        released = False

        def release() -> None:
            nonlocal released
            if not released:
                released = True
                turn.release()

        try:
            async with AsyncSession(self._bind(engine, limit), expire_on_commit=False, autoflush=False) as session:
                session.info[_GIVE_BACK] = release
                yield session
        finally:
            release()

    @asynccontextmanager
    async def transaction(self, *, background: bool = True) -> AsyncIterator[AsyncSession]:
        """A write session committed on success, rolled back on error (for the command line, background
        work and the session store)."""
        async with self.session(write=True, background=background) as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise

    async def dispose(self) -> None:
        await self.writer.dispose()
        if self.reader is not self.writer:
            await self.reader.dispose()
        if self.checkpointer is not None:
            await asyncio.to_thread(self.checkpointer.stop)
