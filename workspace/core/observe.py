"""Every request seen from outside the app: an id, one log line, its metrics.

Wrapped around the whole app (before routing), so that a 404 or a 405 is counted like any page. The id
comes from the proxy's `X-Request-ID` when it is a plain token (nginx's `$request_id`), otherwise it is
made here; it is sent back in `X-Request-ID` and carried by every log line written while the request runs
(`logs.request_id`). The line gives method, path (through `logs.redact`: no link tokens), status and
duration; a live stream's line is written when it closes, and it is counted among the open streams
meanwhile instead of in the latencies. A stream still open when the server stops is closed quietly.
Health checks and scrapes are logged only when they fail.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import secrets
import time
from typing import cast

from litestar.datastructures import MutableScopeHeaders
from litestar.types import ASGIApp, HTTPScope, Message, Receive, Scope, Send

from workspace.core.logs import redact, request_id
from workspace.core.metrics import Metrics

logger = logging.getLogger("passerelle.requests")
_GIVEN_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
UNROUTED = "(unmatched)"
QUIET_ROUTES = frozenset({"/health", "/ready", "/metrics"})
"""Asked every few seconds by machines: logged only when they fail (at DEBUG otherwise), still counted."""


def _incoming_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            text = value.decode("latin-1")
            return text if _GIVEN_ID.fullmatch(text) else None
    return None


class Observe:
    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = cast(HTTPScope, scope)["method"]
        rid = _incoming_id(scope) or secrets.token_hex(8)
        token = request_id.set(rid)
        started = time.perf_counter()
        status = 500
        streaming = False

        async def observed_send(message: Message) -> None:
            nonlocal status, streaming
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = MutableScopeHeaders.from_message(message)
                headers["x-request-id"] = rid
                streaming = (headers.get("content-type") or "").startswith("text/event-stream")
                if streaming:
                    self.metrics.open_streams.inc()
            await send(message)

        try:
            await self.app(scope, receive, observed_send)
        except asyncio.CancelledError:
            if not streaming:
                raise
            # The server's grace time is over and it cancels what still runs: a live stream ends here, as
            # the page expects (it reconnects, to another process), instead of a traceback per open page.
            with contextlib.suppress(Exception):
                await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("path_template") or UNROUTED
            if streaming:
                self.metrics.open_streams.dec()
            else:
                self.metrics.latency.labels(method, route).observe(elapsed)
            self.metrics.requests.labels(method, route, str(status)).inc()
            path = redact(scope.get("path", ""))
            quiet = route in QUIET_ROUTES and status < 400
            logger.log(
                logging.DEBUG if quiet else logging.INFO,
                "%s %s %s %.1f ms",
                method,
                path,
                status,
                elapsed * 1000,
                extra={"method": method, "path": path, "status": status, "duration_ms": round(elapsed * 1000, 1)},
            )
            request_id.reset(token)
