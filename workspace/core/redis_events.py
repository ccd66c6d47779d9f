"""Live events through Redis pub/sub that outlive Redis restarts.

Litestar's own Redis backend lets an error escape from its publishing and listening tasks: after one Redis
restart every open stream of the process stopped receiving events for good, and shutdown waited forever
for the dead publisher. This backend never raises from `publish` or `stream_events`: while Redis is away
events are dropped (each only says "look again", and the pages re-read once it is back), and listening
reconnects by itself, subscribes again to every channel still wanted, and then sends `RESYNC` on each of
them so that every open page re-reads what it shows once (`core.live` turns it into one redraw).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, Iterable
from typing import Any

from litestar.channels.backends.base import ChannelsBackend

from workspace.core.redis import UNREACHABLE, RedisLink

logger = logging.getLogger("passerelle.events")

RESYNC = b"\x00resync"
"""Sent on every channel after the connection to Redis was lost and made again: events may have been missed."""
LISTEN_TIMEOUT = 1.0
FIRST_RETRY = 0.2
LAST_RETRY = 5.0
CLOSE_TIMEOUT = 1.0


class ReconnectingRedisBackend(ChannelsBackend):
    def __init__(self, link: RedisLink) -> None:
        self._link = link
        self._wanted: set[str] = set()
        self._pubsub: Any = None
        self._wanted_changed: asyncio.Event | None = None
        self._lost = False

    def _changed(self) -> asyncio.Event:
        if self._wanted_changed is None:
            self._wanted_changed = asyncio.Event()
        return self._wanted_changed

    async def on_startup(self) -> None:
        pass

    async def on_shutdown(self) -> None:
        await self._drop_connection()

    async def _drop_connection(self) -> None:
        pubsub, self._pubsub = self._pubsub, None
        if pubsub is None:
            return
        with contextlib.suppress(*UNREACHABLE, TimeoutError):
            async with asyncio.timeout(CLOSE_TIMEOUT):
                await pubsub.aclose()

    async def subscribe(self, channels: Iterable[str]) -> None:
        new = set(channels) - self._wanted
        self._wanted |= new
        self._changed().set()
        if self._pubsub is not None and new:
            try:
                await self._pubsub.subscribe(*new)
            except UNREACHABLE as error:
                self._link.failed(error)  # the listener notices too, reconnects and subscribes to all

    async def unsubscribe(self, channels: Iterable[str]) -> None:
        gone = set(channels) & self._wanted
        self._wanted -= gone
        if self._pubsub is not None and gone:
            with contextlib.suppress(*UNREACHABLE):
                await self._pubsub.unsubscribe(*gone)

    async def publish(self, data: bytes, channels: Iterable[str]) -> None:
        """Best effort, and quick while Redis is known to be away: the change is committed already."""
        if not self._link.worth_trying():
            logger.info("Live event on %s dropped: Redis is unreachable", ", ".join(channels))
            return
        try:
            for channel in channels:
                await self._link.client.publish(channel, data)
        except UNREACHABLE as error:
            self._link.failed(error)
        else:
            self._link.answered()

    async def stream_events(self) -> AsyncGenerator[tuple[str, Any], None]:
        retry_in = FIRST_RETRY
        while True:
            if not self._wanted:
                self._changed().clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed().wait(), LISTEN_TIMEOUT)
                continue
            if self._pubsub is None:
                try:
                    await self._connect()
                except UNREACHABLE as error:
                    self._link.failed(error)
                    self._lost = True
                    await asyncio.sleep(retry_in)
                    retry_in = min(retry_in * 2, LAST_RETRY)
                    continue
                retry_in = FIRST_RETRY
                if self._lost:
                    self._lost = False
                    self._link.answered()
                    logger.warning("Live events resumed: %d channels subscribed again", len(self._wanted))
                    for channel in sorted(self._wanted):
                        yield channel, RESYNC
                continue
            try:
                message = await self._pubsub.get_message(ignore_subscribe_messages=True, timeout=LISTEN_TIMEOUT)
            except UNREACHABLE as error:
                self._link.failed(error)
                logger.warning("Live events paused: the connection to Redis was lost (%s)", error)
                self._lost = True
                await self._drop_connection()
                continue
            if message is None or message.get("type") != "message":
                continue
            channel = message["channel"].decode()
            if channel in self._wanted:
                yield channel, message["data"]

    async def _connect(self) -> None:
        """Subscribe a new connection to every channel wanted, including those wanted while it was being
        made: until it is `_pubsub`, `subscribe` only notes what a stream wants (a room's screens opened at
        once had otherwise been left on a connection that never heard of their channels)."""
        pubsub = self._link.subscriber.pubsub()
        try:
            sent: set[str] = set()
            while sent != self._wanted:
                if missing := self._wanted - sent:
                    await pubsub.subscribe(*missing)
                    sent |= missing
                if stale := sent - self._wanted:
                    await pubsub.unsubscribe(*stale)
                    sent -= stale
        except BaseException:
            with contextlib.suppress(*UNREACHABLE, TimeoutError):
                async with asyncio.timeout(CLOSE_TIMEOUT):
                    await pubsub.aclose()
            raise
        self._pubsub = pubsub

    async def get_history(self, channel: str, limit: int | None = None) -> list[bytes]:
        raise NotImplementedError("live events keep no history: each one only says what to re-read")
