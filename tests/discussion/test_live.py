"""Live discussion: a comment posted appears on open pages (server-sent events), a reconnecting page
gets what it missed, Redis carries events between processes, and shutdown closes open streams."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time

import httpx
import pytest

from tests.discussion.support import discussion_room
from tests.helpers import open_session
from tests.servers import free_port, serve
from tests.voting.test_colloquium import next_event
from workspace.settings import PROJECT_ROOT

WAIT = 10.0


async def post_comment(client: httpx.AsyncClient, recommendation_id, body: str) -> httpx.Response:
    page = await client.get(f"/recommendations/{recommendation_id}")
    token = page.text.split('name="_csrf_token" value="')[1].split('"')[0]
    return await client.post(f"/recommendations/{recommendation_id}/comments",
                             data={"body": body, "_csrf_token": token})  # fmt: skip


async def test_a_comment_posted_appears_on_an_open_page_and_a_reconnecting_page_catches_up(app, db, settings):
    room = await discussion_room(db)
    cookie = settings.session_cookie_name
    reader_session = await open_session(db, room.author)
    writer_session = await open_session(db, room.member)
    stream_path = f"/recommendations/{room.recommendation.id}/discussion/stream"
    with serve(app) as base_url:
        async with (
            httpx.AsyncClient(base_url=base_url, cookies={cookie: reader_session}, timeout=20) as reader,
            httpx.AsyncClient(base_url=base_url, cookies={cookie: writer_session}, timeout=20) as writer,
        ):
            async with reader.stream("GET", stream_path) as stream:
                lines = stream.aiter_lines()
                assert "No comments yet." in await next_event(lines, "comments")
                response = await post_comment(writer, room.recommendation.id, "Vu côté flamand")
                assert response.status_code == 303
                assert "Vu côté flamand" in await next_event(lines, "comments")
            marker_after_first = await current_marker(db, room.recommendation.id)

            async with reader.stream("GET", stream_path, headers={"Last-Event-ID": marker_after_first}) as stream:
                lines = stream.aiter_lines()
                await post_comment(writer, room.recommendation.id, "Deuxième remarque")
                assert "Deuxième remarque" in await next_event(lines, "comments")

            await post_comment(writer, room.recommendation.id, "Pendant la coupure")
            async with reader.stream("GET", stream_path, headers={"Last-Event-ID": marker_after_first}) as stream:
                missed = await next_event(stream.aiter_lines(), "comments")
                assert "Pendant la coupure" in missed


async def current_marker(db, recommendation_id) -> str:
    from workspace.discussion.comments import marker

    async with db.session(write=False) as session:
        return await marker(session, recommendation_id)


async def test_outsiders_cannot_listen_to_a_discussion(client, db):
    room = await discussion_room(db)
    from tests.helpers import sign_in

    await sign_in(client, room.outsider)
    response = await client.get(f"/recommendations/{room.recommendation.id}/discussion/stream")
    assert response.status_code == 404


def test_a_slow_page_gets_a_bounded_backlog():
    from workspace.core import events

    plugin = events.channels_plugin(None)
    assert plugin._max_backlog == events.SUBSCRIBER_BACKLOG
    assert plugin._backlog_strategy == "dropleft"


# --- Across processes, through a real Redis ----------------------------------------------------------


class AppProcess:
    """`passerelle serve` in its own process, on a free port."""

    def __init__(self, database_url: str, redis_url: str | None = None) -> None:
        self.port = free_port()
        environment = {**os.environ, "DATABASE_URL": database_url, "PYTHONUNBUFFERED": "1"}
        environment.pop("REDIS_URL", None)
        if redis_url:
            environment["REDIS_URL"] = redis_url
        self.process = subprocess.Popen(
            [sys.executable, "-m", "workspace.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=PROJECT_ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self.base_url = f"http://127.0.0.1:{self.port}"

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the app process exited with {self.process.returncode}")
            try:
                if httpx.get(f"{self.base_url}/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("the app process did not answer")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.mark.sqlite_only
async def test_a_comment_posted_on_one_process_reaches_a_page_served_by_another(db, database_url, settings, redis_url):
    room = await discussion_room(db)
    cookie = settings.session_cookie_name
    reader_session = await open_session(db, room.author)
    writer_session = await open_session(db, room.member)
    first, second = AppProcess(database_url, redis_url), AppProcess(database_url, redis_url)
    try:
        first.wait_ready()
        second.wait_ready()
        async with (
            httpx.AsyncClient(base_url=second.base_url, cookies={cookie: reader_session}, timeout=20) as reader,
            httpx.AsyncClient(base_url=first.base_url, cookies={cookie: writer_session}, timeout=20) as writer,
            reader.stream("GET", f"/recommendations/{room.recommendation.id}/discussion/stream") as stream,
        ):
            lines = stream.aiter_lines()
            await next_event(lines, "comments")
            response = await post_comment(writer, room.recommendation.id, "Posté sur le premier processus")
            assert response.status_code == 303
            assert "Posté sur le premier processus" in await next_event(lines, "comments")
    finally:
        first.stop()
        second.stop()


@pytest.mark.sqlite_only
async def test_stopping_the_server_closes_open_streams_promptly(db, database_url, settings):
    room = await discussion_room(db)
    session_key = await open_session(db, room.author)
    server = AppProcess(database_url)
    try:
        server.wait_ready()
        async with (
            httpx.AsyncClient(base_url=server.base_url, cookies={settings.session_cookie_name: session_key},
                              timeout=20) as reader,
            reader.stream("GET", f"/recommendations/{room.recommendation.id}/discussion/stream") as stream,
        ):  # fmt: skip
            lines = stream.aiter_lines()
            await next_event(lines, "comments")
            stopped_at = time.monotonic()
            server.process.send_signal(signal.SIGTERM)

            async def drain() -> None:
                """Read until the server closes the stream (or the connection drops)."""
                with contextlib.suppress(httpx.HTTPError):
                    async for _line in lines:
                        pass

            await asyncio.wait_for(drain(), WAIT)
            await asyncio.to_thread(server.process.wait, WAIT)
            assert time.monotonic() - stopped_at < WAIT
    finally:
        server.stop()


async def test_ballot_counts_and_phase_changes_reach_an_open_recommendation_page(app, db, settings):
    from tests.voting.support import voting_room

    room = await voting_room(db)
    voter = room.voters["fr"][1]
    cookie = settings.session_cookie_name
    reader_session = await open_session(db, room.facilitator)
    voter_session = await open_session(db, voter)
    with serve(app) as base_url:
        async with (
            httpx.AsyncClient(base_url=base_url, cookies={cookie: reader_session}, timeout=20) as reader,
            httpx.AsyncClient(base_url=base_url, cookies={cookie: voter_session}, timeout=20) as member,
            reader.stream("GET", f"/recommendations/{room.recommendation.id}/discussion/stream") as stream,
        ):
            lines = stream.aiter_lines()
            await next_event(lines, "comments")
            token = (await member.get("/api/session")).json()["csrf_token"]
            cast = await member.put(f"/api/recommendations/{room.recommendation.id}/ballot", json={"choice": "for"},
                                    headers={"x-csrftoken": token})  # fmt: skip
            assert cast.status_code == 200
            assert "1 of 5 voters have voted" in await next_event(lines, "vote")

            page = await reader.get(f"/cycles/{room.cycle.slug}")
            token = page.text.split('name="_csrf_token" value="')[1].split('"')[0]
            moved = await reader.post(f"/cycles/{room.cycle.slug}/phase",
                                      data={"phase": "consolidation", "_csrf_token": token})  # fmt: skip
            assert moved.status_code == 303
            assert "moved on to another phase" in await next_event(lines, "phase")


async def test_a_stream_ends_when_its_reader_is_signed_out_everywhere(app, db, settings):
    from sqlalchemy import update

    from workspace.accounts.models import User

    room = await discussion_room(db)
    cookie = settings.session_cookie_name
    reader_session = await open_session(db, room.author)
    writer_session = await open_session(db, room.member)
    with serve(app) as base_url:
        async with (
            httpx.AsyncClient(base_url=base_url, cookies={cookie: reader_session}, timeout=20) as reader,
            httpx.AsyncClient(base_url=base_url, cookies={cookie: writer_session}, timeout=20) as writer,
            reader.stream("GET", f"/recommendations/{room.recommendation.id}/discussion/stream") as stream,
        ):
            lines = stream.aiter_lines()
            await next_event(lines, "comments")
            async with db.transaction() as session:
                await session.execute(
                    update(User).where(User.id == room.author.id).values(session_epoch=User.session_epoch + 1)
                )
            await post_comment(writer, room.recommendation.id, "Après la déconnexion")
            seen: list[str] = []

            async def drain() -> None:
                with contextlib.suppress(httpx.HTTPError):
                    async for line in lines:
                        seen.append(line)

            await asyncio.wait_for(drain(), WAIT)
            assert not any("Après la déconnexion" in line for line in seen)
