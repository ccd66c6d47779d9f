"""create_app(): the one place where plugins, routes, middleware, stores and templates are wired."""

from __future__ import annotations

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
from litestar.stores.redis import RedisStore
from litestar.template.config import TemplateConfig
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from workspace.accounts.guards import DEPENDENCIES as USER_DEPENDENCIES
from workspace.accounts.kept_routes import kept_routes
from workspace.accounts.middleware import RequestContextMiddleware
from workspace.accounts.oidc import OidcClients
from workspace.accounts.oidc_routes import oidc_routes
from workspace.accounts.routes import account_routes
from workspace.accounts.sessions import DatabaseSessionStore, RenewableSessionConfig
from workspace.accounts.throttle import DeviceCookie, MemoryCounters, RedisCounters, SignInThrottle
from workspace.core import logs
from workspace.core.db import Database, TimeLimitReached
from workspace.core.errors import http_error, server_error, took_too_long
from workspace.core.events import channels_plugin
from workspace.core.inputs import BoundedRequest, CleanQueryString, refuse_hostile_addresses
from workspace.core.security import security_headers
from workspace.core.submissions import AlreadySent
from workspace.core.templating import configure_environment
from workspace.core.web import already_sent, begin_outcome, not_found, provide_db_session, record_outcome
from workspace.cycles.dependencies import DEPENDENCIES as CYCLE_DEPENDENCIES
from workspace.cycles.invitation_routes import invitation_routes
from workspace.cycles.routes import cycle_routes
from workspace.discussion.inbox_routes import inbox_routes
from workspace.discussion.meeting_routes import meeting_routes
from workspace.discussion.moderation_routes import moderation_routes
from workspace.discussion.routes import discussion_routes
from workspace.dossier import jobs as dossier_jobs
from workspace.dossier.answer_routes import answer_routes
from workspace.dossier.carry_over_routes import carry_over_routes
from workspace.dossier.routes import dossier_routes
from workspace.home.routes import home_routes
from workspace.recommendations.amendment_routes import amendment_routes
from workspace.recommendations.glossary_routes import glossary_routes
from workspace.recommendations.routes import recommendation_routes
from workspace.recommendations.search_routes import search_routes
from workspace.recommendations.translation_routes import translation_routes
from workspace.recommendations.writing_routes import writing_routes
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


def _sign_in_limits(settings: Settings) -> tuple[Store, SignInThrottle]:
    """The rate limit's store and the sign-in throttle's counts: shared by every process through Redis
    when there is one, in memory otherwise."""
    counters: RedisCounters | MemoryCounters
    store: Store
    if settings.redis_url:
        from redis.asyncio import Redis

        redis = Redis.from_url(settings.redis_url)
        store = RedisStore(redis, namespace="passerelle-rate-limit")
        counters = RedisCounters(redis)
    else:
        store, counters = MemoryStore(), MemoryCounters()
    throttle = SignInThrottle(
        counters, free_tries=settings.login_free_tries, address_free_tries=settings.login_address_free_tries
    )
    return store, throttle


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()
    settings.check()
    db = Database(settings.database_url, echo=settings.sql_echo)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await dossier_jobs.wait_for_exports()
            await db.dispose()

    engine = JinjaTemplateEngine(directory=PROJECT_ROOT / "templates")
    configure_environment(engine.engine)
    template_config = TemplateConfig(instance=engine)

    session_config = RenewableSessionConfig(
        key=settings.session_cookie_name,
        max_age=SESSION_MAX_AGE,
        secure=settings.secure_cookies,
        httponly=True,
        samesite="lax",
        path="/",
        store="sessions",
        exclude_opt_key="no_session",
    )
    csrf_config = CSRFConfig(
        secret=settings.secret_key,
        cookie_name="__Host-csrftoken" if settings.secure_cookies else "csrftoken",
        cookie_secure=settings.secure_cookies,
        cookie_httponly=True,
        cookie_samesite="lax",
        exclude=["/static/"],
    )
    rate_limit_store, sign_in_throttle = _sign_in_limits(settings)
    rate_limit = RateLimitConfig(
        rate_limit=("minute", settings.login_rate_limit),
        check_throttle_handler=_throttle_sign_in,
        store="rate_limit",
    )

    app = Litestar(
        route_handlers=[
            create_static_files_router(
                path="/static",
                directories=[PROJECT_ROOT / "static"],
                name="static",
                opt={"no_request_context": True, "no_session": True},
            ),
            Router(
                path="/",
                include_in_schema=False,
                route_handlers=[
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
                ],
            ),
            *api_routes,
        ],
        dependencies={"db_session": Provide(provide_db_session), **USER_DEPENDENCIES, **CYCLE_DEPENDENCIES},
        middleware=[
            # First: the client address every later part sees (rate limit, throttle) is the visitor's.
            # uvicorn types ASGI apps with its own protocols; the middleware is a plain ASGI app all the same.
            DefineMiddleware(ProxyHeadersMiddleware, trusted_hosts=list(settings.trusted_proxies)),  # type: ignore[arg-type]
            CleanQueryString,
            session_config.middleware,
            RequestContextMiddleware(),
            rate_limit.middleware,
        ],
        csrf_config=csrf_config,
        template_config=template_config,
        plugins=[
            HTMXPlugin(),
            FlashPlugin(config=FlashConfig(template_config=template_config)),
            channels_plugin(settings),
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
        lifespan=[lifespan],
        debug=settings.debug,
        openapi_config=OpenAPIConfig(
            title="Passerelle API",
            version="1",
            description=API_DESCRIPTION,
            path="/api/schema",
            render_plugins=[JsonRenderPlugin()],
        ),
    )
    app.state.db = db
    app.state.settings = settings
    app.state.oidc = OidcClients.from_settings(settings.oidc_providers)
    app.state.sign_in_throttle = sign_in_throttle
    app.state.device_cookie = DeviceCookie(settings.secret_key)
    logging.getLogger("passerelle").setLevel(logging.INFO)
    logs.install(keep_mail_delivery=not settings.is_production)
    return app
