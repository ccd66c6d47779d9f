"""Engines, sessions and the SQLite rules that keep many writers fast and safe.

SQLite has one writer. Writers racing on a pool of connections make its busy handler sleep
(p99 ~780 ms at 10 clients here, against ~13 ms with one writer), so on SQLite every write
transaction goes through a single writer connection and begins IMMEDIATE, while reads use a pool.
Pools hand connections out first come, first served (`FairQueuePool`), on PostgreSQL too.
SQLite statements run on the event loop's thread, and a thread of their own checkpoints the write-ahead
log (see workspace/core/sqlite.py). PostgreSQL uses
one ordinary pool for both.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import AsyncAdaptedQueuePool
from sqlalchemy.util import await_only
from sqlalchemy.util.queue import AsyncAdaptedQueue, Empty

from workspace.core import sqlite


class _FairQueue(AsyncAdaptedQueue[Any]):
    """Hands connections out in the order they were asked for.

    SQLAlchemy's asyncio queue lets a newcomer take a connection that was just returned for a waiter,
    and the waiter then queues again at the back: behind a single writer, under load, some requests
    waited seconds. Here a returned connection goes straight to the longest waiter.
    """

    def __init__(self, maxsize: int = 0, use_lifo: bool = False) -> None:
        super().__init__(maxsize, use_lifo)
        self._waiters: deque[asyncio.Future[Any]] = deque()

    def put_nowait(self, item: Any) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(item)
                return
        super().put_nowait(item)

    def put(self, item: Any, block: bool = True, timeout: float | None = None) -> None:
        self.put_nowait(item)

    def get(self, block: bool = True, timeout: float | None = None) -> Any:
        if not any(not waiter.done() for waiter in self._waiters) and not self.empty():
            return self.get_nowait()
        if not block:
            raise Empty()
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            return await_only(self._wait(waiter, timeout))
        except TimeoutError as error:
            raise Empty() from error

    async def _wait(self, waiter: asyncio.Future[Any], seconds: float | None) -> Any:
        """The connection handed to `waiter`; given back to the queue if the wait ends (timeout,
        cancellation) after it was handed over, so that no connection is ever lost."""
        try:
            async with asyncio.timeout(seconds):
                return await asyncio.shield(waiter)
        except BaseException:
            if waiter.done() and not waiter.cancelled():
                self.put_nowait(waiter.result())
            else:
                waiter.cancel()
            raise


class FairQueuePool(AsyncAdaptedQueuePool):
    _queue_class = _FairQueue


def _prepare_sqlite(engine: AsyncEngine, *, immediate: bool, checkpointer: sqlite.Checkpointer | None = None) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin (see the "begin" hook).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in sqlite.PRAGMAS:
            cursor.execute(pragma)
        cursor.close()
        if checkpointer is not None:
            checkpointer.start()

    statement = "BEGIN IMMEDIATE" if immediate else "BEGIN"

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        driver = connection.connection.driver_connection
        if isinstance(driver, sqlite.InlineConnection):
            await_only(sqlite.begin(driver, statement))
        else:
            connection.exec_driver_sql(statement)


class Database:
    """The reader and writer engines of one app, and sessions on them."""

    def __init__(self, url: str, *, echo: bool = False, pool_size: int = 10, max_overflow: int = 10) -> None:
        """`pool_size` and `max_overflow` size PostgreSQL's pool and SQLite's readers (the SQLite writer is
        always one connection): every process holds up to their sum."""
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self.checkpointer: sqlite.Checkpointer | None = None
        if self.is_sqlite:
            database = make_url(url).database
            inline: dict[str, Any] = {}
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
                inline["async_creator"] = sqlite.inline_connector(database)
                self.checkpointer = sqlite.Checkpointer(database)
            self.writer = create_async_engine(
                url,
                echo=echo,
                poolclass=FairQueuePool,
                pool_size=1,
                max_overflow=0,
                pool_timeout=60,
                **inline,
            )
            self.reader = create_async_engine(
                url, echo=echo, poolclass=FairQueuePool, pool_size=pool_size, max_overflow=max_overflow, **inline
            )
            _prepare_sqlite(self.writer, immediate=True, checkpointer=self.checkpointer)
            _prepare_sqlite(self.reader, immediate=False)
        else:
            self.writer = create_async_engine(
                url,
                echo=echo,
                poolclass=FairQueuePool,
                pool_size=pool_size,
                max_overflow=max_overflow,
                pool_pre_ping=True,
            )
            self.reader = self.writer
        self._write_sessions = async_sessionmaker(self.writer, expire_on_commit=False, autoflush=False)
        self._read_sessions = async_sessionmaker(self.reader, expire_on_commit=False, autoflush=False)

    def session(self, *, write: bool) -> AsyncSession:
        return (self._write_sessions if write else self._read_sessions)()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A write session committed on success, rolled back on error (for CLI and background work)."""
        async with self.session(write=True) as session:
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
