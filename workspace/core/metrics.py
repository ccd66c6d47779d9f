"""Prometheus metrics of one process, at `/metrics` for whoever holds `METRICS_TOKEN`.

Each process counts its own requests, latencies and open live streams; background jobs waiting and the
database pool are read when the page is asked for. Scrape every process on its own address (not through
the balancer, which would show a different process each time). Without `METRICS_TOKEN` the page does not
exist (404); with it, a scraper sends `Authorization: Bearer <token>`.
"""

from __future__ import annotations

import hmac
from typing import Any

from litestar import Request, Response, get
from litestar.exceptions import NotFoundException
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from workspace.core.health import NO_SESSION

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """One app's metrics, in a registry of its own (tests build many apps in one process)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "passerelle_http_requests",
            "HTTP requests answered, by method, route and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "passerelle_http_request_duration_seconds",
            "Time to answer an HTTP request (live streams are left out), by method and route",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.open_streams = Gauge(
            "passerelle_live_streams_open", "Live streams (server-sent events) open now", registry=self.registry
        )
        self.jobs = Counter(
            "passerelle_jobs", "Background jobs run by this process, by task and outcome", ["task", "outcome"],
            registry=self.registry,
        )  # fmt: skip
        self.jobs_waiting = Gauge(
            "passerelle_jobs_waiting", "Background jobs waiting to run (all processes)", registry=self.registry
        )
        self.pool = Gauge(
            "passerelle_db_pool_connections",
            "Database connections of this process, by engine and state",
            ["engine", "state"],
            registry=self.registry,
        )
        self.redis_up = Gauge(
            "passerelle_redis_up", "1 when Redis answered lately (0 while degraded; absent without Redis)",
            registry=self.registry,
        )  # fmt: skip


def _read_pool(metrics: Metrics, name: str, pool: Any) -> None:
    for state, value in (
        ("size", pool.size()),
        ("checked_out", pool.checkedout()),
        ("overflow", max(0, pool.overflow())),
    ):
        metrics.pool.labels(name, state).set(value)


def _authorised(request: Request[Any, Any, Any]) -> bool:
    token = request.app.state.settings.metrics_token
    if not token:
        raise NotFoundException()
    given = request.headers.get("authorization", "")
    return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


@get("/metrics", name="metrics", opt=NO_SESSION, include_in_schema=False)
async def metrics_page(request: Request[Any, Any, Any]) -> Response[bytes]:
    if not _authorised(request):
        return Response(b"", status_code=401, headers={"www-authenticate": 'Bearer realm="metrics"'})
    state = request.app.state
    metrics: Metrics = state.metrics
    db = state.db
    _read_pool(metrics, "writer", db.writer.pool)
    if db.reader is not db.writer:
        _read_pool(metrics, "reader", db.reader.pool)
    metrics.jobs_waiting.set(await state.jobs.waiting())
    if state.redis is not None:
        metrics.redis_up.set(1 if state.redis.is_up else 0)
    return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)


metrics_routes = [metrics_page]
