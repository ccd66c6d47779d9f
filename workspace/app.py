"""create_app(): the one place where plugins, routes, middleware, stores and templates are wired."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, Request, Router
from litestar.config.csrf import CSRFConfig
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.middleware import DefineMiddleware
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.plugins.flash import FlashConfig, FlashPlugin
from litestar.plugins.htmx import HTMXPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.stores.base import Store
from litestar.stores.memory import MemoryStore
from litestar.template.config import TemplateConfig
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from workspace.accounts.guards import DEPENDENCIES as USER_DEPENDENCIES
from workspace.accounts.kept_routes import kept_routes
from workspace.accounts.middleware import RequestContextMiddleware
from workspace.accounts.oidc import OidcClients
from workspace.accounts.oidc_routes import oidc_routes
from workspace.accounts.routes import account_routes
from workspace.accounts.sessions import DatabaseSessionStore, RenewableSessionConfig
from workspace.accounts.throttle import (
    Counters,
    DeviceCookie,
    FallbackCounters,
    MemoryCounters,
    RedisCounters,
    SignInThrottle,
)
from workspace.core import logs, schema
from workspace.core.db import Database, TimeLimitReached
from workspace.core.errors import http_error, server_error, took_too_long
from workspace.core.events import channels_plugin
from workspace.core.health import HeadAsGet, health_routes
from workspace.core.inputs import BoundedRequest, CleanQueryString, refuse_hostile_addresses
from workspace.core.jobs import JobContext, build_queue
from workspace.core.jobs.registry import SHUTDOWN_GRACE
from workspace.core.mail import Mailer
from workspace.core.metrics import Metrics, metrics_routes
from workspace.core.observe import Observe
from workspace.core.redis import FallbackStore, RedisLink
from workspace.core.security import security_headers
from workspace.core.submissions import AlreadySent
from workspace.core.templating import configure_environment
from workspace.core.topology import ServingLock
from workspace.core.web import already_sent, begin_outcome, not_found, provide_db_session, record_outcome
from workspace.cycles.dependencies import DEPENDENCIES as CYCLE_DEPENDENCIES
from workspace.cycles.invitation_routes import invitation_routes
from workspace.cycles.routes import cycle_routes
from workspace.discussion.inbox_routes import inbox_routes
from workspace.discussion.meeting_routes import meeting_routes
from workspace.discussion.moderation_routes import moderation_routes
from workspace.discussion.routes import discussion_routes
from workspace.dossier.answer_routes import answer_routes
from workspace.dossier.carry_over_routes import carry_over_routes
from workspace.dossier.routes import dossier_routes
from workspace.home.routes import home_routes
from workspace.recommendations.amendment_routes import amendment_routes
from workspace.recommendations.glossary_routes import glossary_routes
from workspace.recommendations.import_routes import import_routes
from workspace.recommendations.routes import recommendation_routes
from workspace.recommendations.search_routes import search_routes
from workspace.recommendations.translation_routes import translation_routes
from workspace.recommendations.writing_routes import writing_routes
from workspace.retention import retention_job  # noqa: F401 - registers the periodic clean-up
from workspace.rights.routes import privacy_routes
from workspace.settings import PROJECT_ROOT, Settings, get_settings
from workspace.voting.api import api_routes
from workspace.voting.colloquium import colloquium_routes
from workspace.voting.routes import voting_routes

SESSION_MAX_AGE = 14 * 24 * 3600
API_DESCRIPTION = (
    "Sign in through /login (the session cookie authenticates API calls). Unsafe requests carry the CSRF "
    "token from GET /api/session in the x-csrftoken header."
)
THROTTLED_PATHS = ("/login", "/signup/", "/password/")


async def _before_request(request: Request[Any, Any, Any]) -> None:
    begin_outcome()
    await refuse_hostile_addresses(request)


async def _throttle_sign_in(request: Request[Any, Any, Any]) -> bool:
    """Async so that Litestar calls it inline rather than on a worker thread, on every request."""
    return request.method == "POST" and request.url.path.startswith(THROTTLED_PATHS)


def _sign_in_limits(settings: Settings, redis: RedisLink | None) -> tuple[Store, SignInThrottle]:
    """The rate limit's store and the sign-in throttle's counts: shared by every process through Redis
    when there is one (each process's memory while Redis is away), in memory otherwise."""
    counters: Counters
    store: Store
    if redis is not None:
        store = FallbackStore(redis, namespace="passerelle-rate-limit")
        counters = FallbackCounters(redis, RedisCounters(redis.client), MemoryCounters())
    else:
        store, counters = MemoryStore(), MemoryCounters()
    throttle = SignInThrottle(
        counters, free_tries=settings.login_free_tries, address_free_tries=settings.login_address_free_tries
    )
    return store, throttle


def _configure_logging(settings: Settings) -> None:
    logging.getLogger("passerelle").setLevel(logging.INFO)
    logs.configure(json_lines=settings.log_format == "json")
    logs.install(keep_mail_delivery=not settings.is_production)


def _observe(app: Litestar, metrics: Metrics) -> None:
    """Outside routing: every request gets its id, log line and metrics, and HEAD answers wherever GET does."""
    app.asgi_handler = Observe(HeadAsGet(app.asgi_handler), metrics)


DISPOSE_WITHIN = 10.0
"""Seconds the database connections get to close when the app stops."""


async def _dispose(db: Database) -> None:
    """Close the database's connections, within a bound: a connection whose thread is already gone must
    not keep the process from stopping (seen once in the suite as a shutdown that never ended)."""
    try:
        async with asyncio.timeout(DISPOSE_WITHIN):
            await db.dispose()
    except TimeoutError:
        logging.getLogger("passerelle").warning("database connections not closed within %s s: left", DISPOSE_WITHIN)


@asynccontextmanager
async def _operations(app: Litestar) -> AsyncIterator[None]:
    """Start-up refusals and warnings, background jobs, and an orderly stop within its grace time.

    Entered once per server; a test that opens two clients on one app enters it twice: the jobs run once."""
    state = app.state
    settings: Settings = state.settings
    await schema.require_head(state.db)
    state.operations_entered = state.get("operations_entered", 0) + 1
    if state.operations_entered == 1:
        database_file = schema.sqlite_file(settings.database_url)
        state.serving_lock = None
        if database_file is not None and state.redis is None:
            state.serving_lock = ServingLock(database_file)
            state.serving_lock.claim()
        if settings.run_jobs:
            state.jobs.start()
    try:
        yield
    finally:
        state.operations_entered -= 1
        if state.operations_entered == 0:
            try:
                async with asyncio.timeout(SHUTDOWN_GRACE + DISPOSE_WITHIN):
                    await state.jobs.stop(SHUTDOWN_GRACE)
            except TimeoutError:
                logging.getLogger("passerelle").warning(
                    "background jobs did not stop in time: left to the next process"
                )
            if state.redis is not None:
                await state.redis.close()
            if state.serving_lock is not None:
                state.serving_lock.release()


PAGE_ROUTES = [
    *account_routes,
    *kept_routes,
    *oidc_routes,
    *privacy_routes,
    *home_routes,
    *cycle_routes,
    *invitation_routes,
    *recommendation_routes,
    *writing_routes,
    *amendment_routes,
    *translation_routes,
    *search_routes,
    *glossary_routes,
    *import_routes,
    *voting_routes,
    *colloquium_routes,
    *discussion_routes,
    *moderation_routes,
    *inbox_routes,
    *meeting_routes,
    *dossier_routes,
    *answer_routes,
    *carry_over_routes,
    not_found,
]
"""The pages, by domain; the unknown address last."""


def _route_handlers() -> list[Any]:
    static = create_static_files_router(
        path="/static",
        directories=[PROJECT_ROOT / "static"],
        name="static",
        opt={"no_request_context": True, "no_session": True},
    )
    pages = Router(path="/", include_in_schema=False, route_handlers=PAGE_ROUTES)
    return [static, pages, *api_routes, *health_routes, *metrics_routes]


def _session_config(settings: Settings) -> RenewableSessionConfig:
    return RenewableSessionConfig(
        key=settings.session_cookie_name,
        max_age=SESSION_MAX_AGE,
        secure=settings.secure_cookies,
        httponly=True,
        samesite="lax",
        path="/",
        store="sessions",
        exclude_opt_key="no_session",
    )


def _csrf_config(settings: Settings) -> CSRFConfig:
    return CSRFConfig(
        secret=settings.secret_key,
        cookie_name="__Host-csrftoken" if settings.secure_cookies else "csrftoken",
        cookie_secure=settings.secure_cookies,
        cookie_httponly=True,
        cookie_samesite="lax",
        exclude=["/static/", "/health", "/ready", "/metrics"],
    )


def _template_config() -> TemplateConfig[JinjaTemplateEngine]:
    engine = JinjaTemplateEngine(directory=PROJECT_ROOT / "templates")
    configure_environment(engine.engine)
    return TemplateConfig(instance=engine)


def _middleware(settings: Settings, rate_limit: RateLimitConfig) -> list[Any]:
    return [
        # First: the client address every later part sees (rate limit, throttle) is the visitor's.
        # uvicorn types ASGI apps with its own protocols; the middleware is a plain ASGI app all the same.
        DefineMiddleware(ProxyHeadersMiddleware, trusted_hosts=list(settings.trusted_proxies)),  # type: ignore[arg-type]
        CleanQueryString,
        _session_config(settings).middleware,
        RequestContextMiddleware(),
        rate_limit.middleware,
    ]


def _openapi_config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Passerelle API",
        version="1",
        description=API_DESCRIPTION,
        path="/api/schema",
        render_plugins=[JsonRenderPlugin()],
    )


def _hold_the_parts(
    app: Litestar,
    settings: Settings,
    db: Database,
    redis: RedisLink | None,
    metrics: Metrics,
    sign_in_throttle: SignInThrottle,
) -> None:
    """What handlers and jobs reach through `app.state`: the database, the settings, the links to the outside
    (identity providers, Redis, the mail), the job queue and the metrics."""
    app.state.db = db
    app.state.settings = settings
    app.state.oidc = OidcClients.from_settings(settings.oidc_providers)
    app.state.sign_in_throttle = sign_in_throttle
    app.state.device_cookie = DeviceCookie(settings.secret_key)
    app.state.redis = redis
    app.state.metrics = metrics
    app.state.jobs = build_queue(JobContext(db, settings, metrics), settings.database_url)
    app.state.mailer = Mailer(settings, db, app.state.jobs)


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()
    settings.check()
    db = Database(
        settings.database_url,
        echo=settings.sql_echo,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
    )
    redis = RedisLink(settings.redis_url) if settings.redis_url else None
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await _dispose(db)

    template_config = _template_config()
    rate_limit_store, sign_in_throttle = _sign_in_limits(settings, redis)
    rate_limit = RateLimitConfig(
        rate_limit=("minute", settings.login_rate_limit),
        check_throttle_handler=_throttle_sign_in,
        store="rate_limit",
    )
    app = Litestar(
        route_handlers=_route_handlers(),
        dependencies={"db_session": Provide(provide_db_session), **USER_DEPENDENCIES, **CYCLE_DEPENDENCIES},
        middleware=_middleware(settings, rate_limit),
        csrf_config=_csrf_config(settings),
        template_config=template_config,
        plugins=[
            HTMXPlugin(),
            FlashPlugin(config=FlashConfig(template_config=template_config)),
            channels_plugin(redis),
        ],
        stores={"sessions": DatabaseSessionStore(db), "rate_limit": rate_limit_store},
        exception_handlers={
            HTTPException: http_error,
            AlreadySent: already_sent,
            TimeLimitReached: took_too_long,
            Exception: server_error,
        },
        request_class=BoundedRequest,
        before_request=_before_request,
        after_request=record_outcome,
        before_send=[security_headers(hsts=settings.is_production)],
        lifespan=[lifespan, _operations],
        debug=settings.debug,
        logging_config=None,  # logs.configure (below) sets up the process's logging once
        openapi_config=_openapi_config(),
    )
    _hold_the_parts(app, settings, db, redis, metrics, sign_in_throttle)
    _observe(app, metrics)
    _configure_logging(settings)
    return app
