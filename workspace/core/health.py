"""What a balancer, a supervisor or an operator asks the process: is it alive, may it take traffic.

`/health` only says the process answers (no database, no session: cheap enough to ask every second).
`/ready` says whether it can serve: the database answers and is at the schema this code needs (503
otherwise), and how Redis is, when one is configured. Redis away does not make the process unready: it
serves on, degraded (see `core.redis`), and a balancer taking every process out of service for it would
turn a degraded site into no site; the answer says "degraded" and names Redis.

Neither opens a session or reads the person: `NO_SESSION` keeps them out of those middlewares.
"""

from __future__ import annotations

import asyncio
from typing import Any, cast

from litestar import Request, Response, get
from litestar.types import ASGIApp, HTTPScope, Message, Receive, Scope, Send

from workspace.core import schema

NO_SESSION = {"no_session": True, "no_request_context": True}
CHECK_TIMEOUT = 2.0
_NOT_CACHED = {"cache-control": "no-store"}


@get("/health", name="health", opt=NO_SESSION, include_in_schema=False, sync_to_thread=False)
def health() -> Response[str]:
    return Response("ok\n", media_type="text/plain", headers=_NOT_CACHED)


async def _database_state(request: Request[Any, Any, Any]) -> str:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT):
            return await schema.revision_state(request.app.state.db)
    except TimeoutError:
        return "unreachable (no answer within 2 s)"


async def _redis_state(request: Request[Any, Any, Any]) -> str | None:
    link = request.app.state.redis
    if link is None:
        return None
    try:
        async with asyncio.timeout(CHECK_TIMEOUT):
            return "ok" if await link.ping() else "unreachable"
    except TimeoutError:
        return "unreachable"


@get("/ready", name="ready", opt=NO_SESSION, include_in_schema=False)
async def ready(request: Request[Any, Any, Any]) -> Response[dict[str, str]]:
    database = await _database_state(request)
    checks = {"database": database}
    redis = await _redis_state(request)
    if redis is not None:
        checks["redis"] = redis
    if database != "ok":
        status, code = "unavailable", 503
    elif redis not in (None, "ok"):
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    return Response({"status": status, **checks}, status_code=code, headers=_NOT_CACHED)


health_routes = [health, ready]


class HeadAsGet:
    """Answers HEAD wherever GET answers: the request runs as a GET, and only its status and headers are
    sent. A long answer (a live stream) is told the client left as soon as the headers are out."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or cast(HTTPScope, scope)["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        http = cast(HTTPScope, scope)
        http["method"] = "GET"
        answered = False

        async def head_send(message: Message) -> None:
            nonlocal answered
            if message["type"] == "http.response.start":
                await send(message)
                await send({"type": "http.response.body", "body": b"", "more_body": False})
                answered = True
            elif message["type"] != "http.response.body":
                await send(message)

        async def head_receive() -> Message:
            if answered:
                return {"type": "http.disconnect"}
            return cast(Message, await receive())

        try:
            await self.app(scope, cast(Receive, head_receive), head_send)
        finally:
            http["method"] = "HEAD"
