"""Requests that reach the app as they would through the network: from a given peer address."""

from __future__ import annotations

from typing import Any

from httpx import Response
from litestar.testing import AsyncTestClient

from tests.helpers import csrf_token

PROXY = "10.20.0.2"
"""A reverse proxy on the local network (not loopback): the tests' TRUSTED_PROXIES name 10.20.0.0/16."""


def from_peer(app: Any, host: str) -> Any:
    """The app as seen from `host`: the connection's peer address a server would put in the ASGI scope."""

    async def peer(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "lifespan":
            scope = {**scope, "client": (host, 40000)}
        await app(scope, receive, send)

    return peer


async def attempt(client: AsyncTestClient[Any], email: str, password: str, *, visitor: str | None = None) -> Response:
    """One sign-in; `visitor` is the client address the proxy puts in X-Forwarded-For."""
    token = await csrf_token(client, "/login")
    headers = {"x-forwarded-for": visitor} if visitor else {}
    return await client.post(
        "/login",
        data={"email": email, "password": password, "_csrf_token": token},
        headers=headers,
        follow_redirects=False,
    )
