"""What an operator's balancer, supervisor and scraper ask: /health, /ready, HEAD, /metrics, and the
sessions table left alone by visits that store nothing."""

from __future__ import annotations

from dataclasses import replace

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select

from tests.factories import make_user
from tests.helpers import sign_in
from workspace.accounts.models import StoredSession
from workspace.app import create_app
from workspace.core.db import Database

METRICS_TOKEN = "a-scrapers-long-secret-token"


async def _stored_sessions(db: Database) -> int:
    async with db.session(write=False) as session:
        return int(await session.scalar(select(func.count()).select_from(StoredSession)) or 0)


async def test_health_and_ready_answer_without_a_session_or_a_cookie(client, db):
    for _ in range(5):
        health = await client.get("/health")
        assert health.status_code == 200
        assert health.text == "ok\n"
        assert "set-cookie" not in health.headers
    ready = await client.get("/ready")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "database": "ok"}
    assert "set-cookie" not in ready.headers
    assert await _stored_sessions(db) == 0


async def test_pages_visited_without_a_cookie_leave_no_session_row(client, db):
    for path in ("/", "/login", "/password/forgot", "/", "/login"):
        assert (await client.get(path)).status_code == 200
        client.cookies.clear()
    assert await _stored_sessions(db) == 0


async def test_a_sign_in_still_stores_its_session(client, db):
    await sign_in(client, await make_user(db))
    assert await _stored_sessions(db) == 1


async def test_head_answers_wherever_get_does(client):
    for path in ("/", "/login", "/health"):
        got = await client.get(path)
        head = await client.head(path)
        assert head.status_code == got.status_code == 200, path
        assert head.content == b""
        assert head.headers["content-type"] == got.headers["content-type"]
    assert (await client.head("/no-such-page")).status_code == 404


@pytest.mark.sqlite_only
async def test_ready_says_degraded_while_redis_is_away_and_ok_once_back(database_url, settings, redis_server):
    app = create_app(replace(settings, redis_url=redis_server.url))
    async with AsyncTestClient(app=app) as client:
        assert (await client.get("/ready")).json() == {"status": "ok", "database": "ok", "redis": "ok"}
        redis_server.stop()
        away = await client.get("/ready")
        assert away.status_code == 200  # still serving: a balancer must not take every process out for it
        assert away.json()["status"] == "degraded"
        assert away.json()["redis"] == "unreachable"
        redis_server.start()
        assert (await client.get("/ready")).json()["redis"] == "ok"


async def test_metrics_are_not_public_unless_a_token_is_set(client):
    assert (await client.get("/metrics")).status_code == 404


@pytest.mark.sqlite_only
async def test_metrics_answer_the_scraper_with_its_token_in_prometheus_format(settings):
    app = create_app(replace(settings, metrics_token=METRICS_TOKEN))
    async with AsyncTestClient(app=app) as client:
        assert (await client.get("/login")).status_code == 200
        assert (await client.get("/metrics")).status_code == 401
        wrong = await client.get("/metrics", headers={"authorization": "Bearer not-the-token"})
        assert wrong.status_code == 401
        scraped = await client.get("/metrics", headers={"authorization": f"Bearer {METRICS_TOKEN}"})
    assert scraped.status_code == 200
    assert scraped.headers["content-type"].startswith("text/plain")
    for name in (
        "passerelle_http_requests_total",
        "passerelle_http_request_duration_seconds_bucket",
        "passerelle_live_streams_open",
        "passerelle_jobs_waiting",
        "passerelle_db_pool_connections",
    ):
        assert name in scraped.text, name
