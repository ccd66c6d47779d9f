"""Many pages open on one process, changes made through another, events through the real Redis: every
open page sees every change, whether it was opened alone or together with many others."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.discussion.support import discussion_room
from tests.discussion.test_live import post_comment
from tests.factories import add_member, make_recommendation, make_user
from tests.helpers import open_session
from tests.processes import AppProcess
from tests.voting.test_colloquium import next_event
from workspace.recommendations.models import Recommendation

pytestmark = pytest.mark.sqlite_only

PAGES = 10
ROUNDS = 2


async def test_ten_open_pages_on_one_process_see_every_comment_posted_through_another(
    database_url, db, settings, redis_server, tmp_path
):
    room = await discussion_room(db)
    recommendations = [room.recommendation] + [
        await make_recommendation(db, room.cycle, author=room.author) for _ in range(PAGES - 1)
    ]
    cookie = settings.session_cookie_name
    reader_session = await open_session(db, room.author)
    writers = []  # one per page: a person posts at most a few comments a minute
    for _ in recommendations:
        writer = await make_user(db)
        await add_member(db, writer, room.cycle)
        writers.append(await open_session(db, writer))
    reading = AppProcess.web(tmp_path / "reading.log", database_url, REDIS_URL=redis_server.url).start()
    writing = AppProcess.web(tmp_path / "writing.log", database_url, REDIS_URL=redis_server.url).start()
    try:
        reading.wait_ready()
        writing.wait_ready()
        async with (
            httpx.AsyncClient(base_url=reading.base_url, cookies={cookie: reader_session}, timeout=30) as reader,
            contextlib.AsyncExitStack() as streams,
        ):

            async def open_page(recommendation: Recommendation) -> AsyncIterator[str]:
                stream = await streams.enter_async_context(
                    reader.stream("GET", f"/recommendations/{recommendation.id}/discussion/stream")
                )
                lines = stream.aiter_lines()
                await next_event(lines, "comments")
                return lines

            # opened at once, as a room's screens and pages are when the colloquium starts
            pages = await asyncio.gather(*(open_page(recommendation) for recommendation in recommendations))
            for round_ in range(ROUNDS):
                for number, (recommendation, lines) in enumerate(zip(recommendations, pages, strict=True)):
                    body = f"Round {round_}, page {number}"
                    async with httpx.AsyncClient(
                        base_url=writing.base_url, cookies={cookie: writers[number]}, timeout=30
                    ) as writer:
                        assert (await post_comment(writer, recommendation.id, body)).status_code == 303
                    assert body in await next_event(lines, "comments"), (round_, number)
        assert "Traceback" not in reading.output()
    finally:
        reading.kill()
        writing.kill()
