"""Garbage collection pauses: the start-up heap is left alone once the app runs."""

from __future__ import annotations

import gc

from litestar.testing import AsyncTestClient


async def test_once_the_app_has_started_the_collector_no_longer_walks_the_start_up_heap(app):
    async with AsyncTestClient(app=app) as client:
        assert (await client.get("/")).status_code == 200
        assert gc.get_freeze_count() > 0
