"""The live-event broker on the real Redis: a channel wanted while the broker is still connecting is
listened to all the same."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from workspace.core.redis import RedisLink
from workspace.core.redis_events import ReconnectingRedisBackend

pytestmark = pytest.mark.sqlite_only


async def test_a_page_opened_while_the_broker_connects_still_hears_its_events(redis_url):
    link = RedisLink(redis_url)
    backend = ReconnectingRedisBackend(link)
    heard: asyncio.Queue[tuple[str, bytes]] = asyncio.Queue()

    async def listen() -> None:
        async for channel, data in backend.stream_events():
            await heard.put((channel, data))

    await backend.subscribe(["screen"])
    listener = asyncio.create_task(listen())
    try:
        await asyncio.sleep(0)  # the listener starts connecting, and waits for the network
        assert backend._pubsub is None, "the page must be opened while the broker is still connecting"
        await backend.subscribe(["page"])
        for _ in range(100):  # until both are heard on Redis
            numbers = dict(await link.client.pubsub_numsub("screen", "page"))
            if numbers == {b"screen": 1, b"page": 1}:
                break
            await asyncio.sleep(0.05)
        await backend.publish(b"ballot", ["page"])
        assert await asyncio.wait_for(heard.get(), 5) == ("page", b"ballot")
    finally:
        listener.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await listener
        await backend.on_shutdown()
        await link.close()
