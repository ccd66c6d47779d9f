"""Redis stopped and started again, for real: sign-in goes on meanwhile, live pages catch up when it is
back, and a process still stops within its grace time."""

from __future__ import annotations

import asyncio
import logging

import httpx
import pytest
from litestar.testing import AsyncTestClient

from tests.discussion.support import discussion_room
from tests.discussion.test_live import post_comment
from tests.factories import PASSWORD, make_user
from tests.helpers import open_session, post_form, sign_in
from tests.processes import AppProcess
from tests.voting.test_colloquium import next_event
from workspace.app import create_app
from workspace.core.redis import RETRY_AFTER
from workspace.settings import Settings

pytestmark = pytest.mark.sqlite_only


async def test_sign_in_goes_on_while_redis_is_away_and_once_it_is_back(database_url, db, redis_server, caplog):
    user = await make_user(db)
    app = create_app(Settings(database_url=database_url, redis_url=redis_server.url, login_rate_limit=1000))
    async with AsyncTestClient(app=app) as client:
        await sign_in(client, user)
        await post_form(client, "/logout", {})
        redis_server.stop()
        with caplog.at_level(logging.WARNING, logger="passerelle.redis"):
            await sign_in(client, user)
            await post_form(client, "/logout", {})
            wrong = await post_form(client, "/login", {"email": user.email, "password": "not-it"}, token_from="/login")
            assert wrong.status_code == 400
            assert "Redis is unreachable" in caplog.text
            redis_server.start()
            await asyncio.sleep(RETRY_AFTER + 0.5)
            await sign_in(client, user, password=PASSWORD)
            assert "Redis is back" in caplog.text


async def test_open_pages_catch_up_after_a_redis_restart_and_the_process_still_stops_promptly(
    database_url, db, settings, redis_server, tmp_path
):
    room = await discussion_room(db)
    cookie = settings.session_cookie_name
    reader_session = await open_session(db, room.author)
    writer_session = await open_session(db, room.member)
    server = AppProcess.web(tmp_path / "web.log", database_url, REDIS_URL=redis_server.url).start()
    try:
        server.wait_ready()
        async with (
            httpx.AsyncClient(base_url=server.base_url, cookies={cookie: reader_session}, timeout=30) as reader,
            httpx.AsyncClient(base_url=server.base_url, cookies={cookie: writer_session}, timeout=30) as writer,
            reader.stream("GET", f"/recommendations/{room.recommendation.id}/discussion/stream") as stream,
        ):
            lines = stream.aiter_lines()
            await next_event(lines, "comments")
            redis_server.stop()
            missed = await post_comment(writer, room.recommendation.id, "Posted while Redis was away")
            assert missed.status_code == 303
            redis_server.start()
            assert "Posted while Redis was away" in await next_event(lines, "comments")
            later = await post_comment(writer, room.recommendation.id, "Posted once Redis was back")
            assert later.status_code == 303
            assert "Posted once Redis was back" in await next_event(lines, "comments")
            took = await asyncio.to_thread(server.terminate)
        assert took < 15, f"stopping took {took:.0f} s"
        output = server.output()
        assert "Redis is unreachable" in output
        assert "Live events resumed" in output
        assert "CancelledError" not in output
        assert "Traceback" not in output
    finally:
        server.kill()


async def test_a_process_with_open_pages_stops_promptly_while_redis_is_down(
    database_url, db, settings, redis_server, tmp_path
):
    room = await discussion_room(db)
    reader = {settings.session_cookie_name: await open_session(db, room.author)}
    server = AppProcess.web(tmp_path / "web.log", database_url, REDIS_URL=redis_server.url).start()
    try:
        server.wait_ready()
        async with (
            httpx.AsyncClient(base_url=server.base_url, cookies=reader, timeout=30) as client,
            client.stream("GET", f"/recommendations/{room.recommendation.id}/discussion/stream") as stream,
        ):
            await next_event(stream.aiter_lines(), "comments")
            redis_server.stop()
            await asyncio.sleep(1)
            took = await asyncio.to_thread(server.terminate)
        assert took < 15, f"stopping took {took:.0f} s"
        assert "Traceback" not in server.output()
    finally:
        server.kill()
