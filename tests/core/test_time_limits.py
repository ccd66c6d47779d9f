"""A heavy read never stalls the others, and a request's statement that runs past its time limit is stopped
with a page that says so (not a 500), its transaction rolled back."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from litestar import get, post
from sqlalchemy import text

from tests.servers import serve
from workspace.core.db import Database, TimeLimitReached
from workspace.core.web import DbSession

LIMIT = 2.0
"""Seconds a request's statement may take in these tests (the app's own limit is longer)."""


def endless_read(db: Database) -> str:
    """A statement that would run for good: only its time limit ends it."""
    if db.is_sqlite:
        return "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT count(*) FROM n"
    return "SELECT pg_sleep(600)"


async def test_a_long_read_leaves_the_event_loop_and_other_sessions_free_until_its_limit_stops_it(database_url):
    db = Database(database_url, request_time_limit=LIMIT)
    try:

        async def long_read() -> None:
            async with db.session(write=False) as session:
                await session.execute(text(endless_read(db)))

        reading = asyncio.create_task(long_read())
        await asyncio.sleep(0.2)
        ticks = 0
        for _ in range(10):
            await asyncio.sleep(0.01)
            ticks += 1
        async with db.session(write=False) as session:
            assert (await session.execute(text("SELECT 1"))).scalar() == 1
        async with db.transaction() as session:
            await session.execute(text("CREATE TABLE note (body TEXT)"))
        assert not reading.done(), "the long read ended before the others had run"
        assert ticks == 10
        with pytest.raises(TimeLimitReached):
            await asyncio.wait_for(reading, timeout=30)
    finally:
        await db.dispose()


async def test_background_work_has_no_time_limit(database_url):
    """What a request may not run (a read of a few hundred milliseconds, with a 50 ms limit), an export or a
    command runs to its end."""
    db = Database(database_url, request_time_limit=0.05)
    slow = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 2000000) SELECT count(*) FROM n"
    try:
        with pytest.raises(TimeLimitReached):
            async with db.session(write=False) as session:
                await session.execute(text(slow))
        async with db.session(write=False, background=True) as session:
            assert (await session.execute(text(slow))).scalar() == 2_000_000
        async with db.transaction() as session:
            assert (await session.execute(text(slow))).scalar() == 2_000_000
    finally:
        await db.dispose()


def _with_slow_routes(app) -> None:  # type: ignore[no-untyped-def]
    """Routes of the real app (its middleware, request session and error pages) whose statement never ends,
    and one that writes a line."""
    db: Database = app.state.db
    db.request_time_limit = db.write_time_limit = LIMIT
    statement = endless_read(db)

    @get("/_slow-page")
    async def page(db_session: DbSession) -> str:
        await db_session.execute(text(statement))
        return "never"

    @get("/api/_slow")
    async def api(db_session: DbSession) -> dict[str, str]:
        await db_session.execute(text(statement))
        return {"never": "answered"}

    @post("/_slow-write")
    async def slow_write(db_session: DbSession) -> str:
        await db_session.execute(text("INSERT INTO probe VALUES ('sent')"))
        await db_session.execute(text(statement))
        return "never"

    @post("/_write")
    async def write(db_session: DbSession) -> str:
        await db_session.execute(text("INSERT INTO probe VALUES ('after')"))
        return "stored"

    for handler in (page, api, slow_write, write):
        app.register(handler)


@pytest.fixture
async def served(app, db):  # type: ignore[no-untyped-def]
    """The app with the slow routes under uvicorn, and a client that carries its CSRF token."""
    _with_slow_routes(app)
    async with db.transaction() as session:
        await session.execute(text("CREATE TABLE probe (body TEXT)"))
    with serve(app) as url:
        async with httpx.AsyncClient(base_url=url, timeout=60) as client:
            await client.get("/")
            client.headers["x-csrftoken"] = client.cookies["csrftoken"]
            yield client


async def test_a_page_whose_read_takes_too_long_says_so_while_other_pages_are_served(served):
    slow = asyncio.create_task(served.get("/_slow-page", headers={"accept-language": "fr"}))
    await asyncio.sleep(0.3)
    home = await served.get("/")
    assert home.status_code == 200
    assert not slow.done(), "the home page waited for the slow page"
    answer = await slow
    assert answer.status_code == 503
    assert "Cela a pris trop de temps" in answer.text
    assert "Réessayez dans un instant" in answer.text


async def test_an_api_read_that_takes_too_long_is_a_json_503(served):
    answer = await served.get("/api/_slow")
    assert answer.status_code == 503
    assert answer.json()["status_code"] == 503


async def test_a_write_stopped_by_its_time_limit_stores_nothing_and_frees_the_writer(served, db):
    slow = asyncio.create_task(served.post("/_slow-write", headers={"accept-language": "nl"}))
    await asyncio.sleep(0.3)
    waiting = asyncio.create_task(served.post("/_write"))
    answer = await slow
    assert answer.status_code == 503
    assert "Niets van wat u verstuurde is bewaard" in answer.text
    assert (await waiting).status_code == 201
    async with db.session(write=False) as session:
        stored = (await session.execute(text("SELECT body FROM probe"))).scalars().all()
    assert stored == ["after"]
