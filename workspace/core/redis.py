"""Redis, when several processes share it: one client per app, and what to do while Redis is away.

Redis carries what processes must share (live events, the sign-in throttle's counts, the rate limit's),
never what must not be lost (sessions, jobs and data live in the database). So when Redis is away the
app goes on, degraded: `RedisLink` says so once in the log (and once when it is back), every part that
uses Redis falls back (`FallbackStore` here, the throttle's `FallbackCounters`, the live events' backend)
and tries Redis again every few seconds. Commands time out after a few seconds instead of hanging.
"""

from __future__ import annotations

import contextlib
import logging
import time
from datetime import timedelta
from typing import Any

from litestar.stores.base import Store
from litestar.stores.memory import MemoryStore
from litestar.stores.redis import RedisStore
from redis.asyncio import Redis
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

logger = logging.getLogger("passerelle.redis")

UNREACHABLE = (RedisError, OSError)
"""What a command raises when Redis is away (OSError covers refused connections and timeouts)."""
RETRY_AFTER = 3.0
"""Seconds during which a part that found Redis away does not ask again (it uses its fallback)."""
DEGRADED = (
    "live events are paused (open pages re-read once when it is back), and the sign-in throttle and rate "
    "limit count in each process's memory"
)


def _client(url: str, *, retries: int) -> Redis:
    return Redis.from_url(
        url,
        socket_connect_timeout=1.0,
        socket_timeout=3.0,
        retry=Retry(NoBackoff(), retries),
        health_check_interval=10,
    )


class RedisLink:
    """One app's Redis clients, and whether Redis answered lately.

    `client` retries a command once on a fresh connection (the first command after Redis restarted meets a
    connection it closed); `subscriber` never retries by itself, so that whoever listens learns of every
    lost connection (and of the events it may have missed meanwhile)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.client = _client(url, retries=1)
        self.subscriber = _client(url, retries=0)
        self._down_since: float | None = None
        self._next_try = 0.0

    @property
    def is_up(self) -> bool:
        return self._down_since is None

    def worth_trying(self) -> bool:
        """False for a few seconds after a failure: the callers use their fallback meanwhile."""
        return self._down_since is None or time.monotonic() >= self._next_try

    def failed(self, error: BaseException) -> None:
        now = time.monotonic()
        if self._down_since is None:
            self._down_since = now
            logger.error("Redis is unreachable (%s: %s): %s", type(error).__name__, error, DEGRADED)
        self._next_try = now + RETRY_AFTER

    def answered(self) -> None:
        if self._down_since is not None:
            away = time.monotonic() - self._down_since
            self._down_since = None
            logger.warning("Redis is back after %.0f s: live events and shared counts resume", away)

    async def ping(self) -> bool:
        try:
            await self.client.ping()
        except UNREACHABLE as error:
            self.failed(error)
            return False
        self.answered()
        return True

    async def close(self) -> None:
        for client in (self.client, self.subscriber):
            with contextlib.suppress(*UNREACHABLE):
                await client.aclose()


class FallbackStore(Store):
    """A Litestar store in Redis that uses one process's memory while Redis is away.

    The counts kept meanwhile stay in that process; Redis's own are used again as soon as it answers."""

    def __init__(self, link: RedisLink, namespace: str) -> None:
        self.link = link
        self.primary = RedisStore(link.client, namespace=namespace)
        self.fallback = MemoryStore()

    async def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if self.link.worth_trying():
            try:
                result = await getattr(self.primary, name)(*args, **kwargs)
            except UNREACHABLE as error:
                self.link.failed(error)
            else:
                self.link.answered()
                return result
        return await getattr(self.fallback, name)(*args, **kwargs)

    async def set(self, key: str, value: str | bytes, expires_in: int | timedelta | None = None) -> None:
        await self._call("set", key, value, expires_in)

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        return await self._call("get", key, renew_for)

    async def delete(self, key: str) -> None:
        await self._call("delete", key)

    async def delete_all(self) -> None:
        await self._call("delete_all")

    async def exists(self, key: str) -> bool:
        return await self._call("exists", key)

    async def expires_in(self, key: str) -> int | None:
        return await self._call("expires_in", key)
