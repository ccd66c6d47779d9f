"""Every route, given hostile values in its path, its query and its form, answers 4xx (a friendly page,
or JSON under /api/), never a 500, on SQLite and PostgreSQL.

The routes come from the app's route table, the query parameters from each handler's signature, the form
fields from the pages themselves (every `name="…"` on the pages the walk opens). Each parameter in turn
gets each hostile value while the others keep the real values of the authorization matrix's world
(tests/security/world.py), so the handler behind it really runs: as an admin (who reaches nearly every
page), as the member who wrote the world's comment, and anonymously.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from litestar import Litestar
from litestar.enums import ParamType
from litestar.params import ParameterKwarg

from tests.security.world import build_world, fill, session_cookie
from tests.servers import serve
from workspace.app import create_app
from workspace.settings import Settings

HUGE = "99999999999999999999999"
LONG = "x" * 5_000
HOSTILE_TEXT = ("\x00", "a\x00b", "-1", "0", HUGE, LONG, "%", "../..", "\u202e\ufeff")
HOSTILE_BY_KIND = {
    "int": ("\x00", "-1", "0", HUGE, "9" * 5_000),
    "uuid": ("\x00", "00000000-0000-0000-0000-000000000000", LONG),
    "str": HOSTILE_TEXT,
    "path": ("\x00", LONG, "a/\x00/b"),
}
HOSTILE_FORM = ("\x00", "a\x00b", "-1", HUGE, LONG)
ROLES = ("admin", "member", "anonymous")
KNOWN_FIELDS = ("title", "body", "year", "password", "email", "reason", "version", "choice", "group")
"""Form fields sent even if no page the role opens shows them."""
KIND_NOT_CHECKED = {
    "GET /api/schema/{path:str}": "Litestar's own HTML 404 for a schema page it does not render",
    "POST /recommendations/{recommendation_id:uuid}/comments": (
        "known, left to the discussion's owner: the handler is annotated `-> Any`, so Litestar labels the "
        "re-rendered page application/json (a browser without JavaScript shows its source)"
    ),
}
"""Routes whose 4xx answers are not checked for their content type (never 500 still is), and why."""
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
_FIELD = re.compile(r'name="([A-Za-z][\w-]*)"')
_TOKEN = re.compile(r'name="_csrf_token" value="([^"]+)"')
_PARAM = re.compile(r"\{(\w+):(\w+)\}")


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    query: tuple[str, ...]


def routes_of(app: Litestar) -> list[Route]:
    """Every (method, path) of the app with the query parameters its handler reads; static files apart."""
    found = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            for method in sorted(handler.http_methods - {"HEAD", "OPTIONS"}):
                query = tuple(
                    definition.kwarg_definition.name or name
                    for name, definition in handler.parsed_fn_signature.parameters.items()
                    if isinstance(definition.kwarg_definition, ParameterKwarg)
                    and definition.kwarg_definition.param_type == ParamType.QUERY
                    and name not in route.path_parameters
                    and name not in {"db_session", "user"}
                )
                found.append(Route(method, route.path, query))
    return sorted(found, key=lambda r: (r.method in UNSAFE, r.path, r.method))


def addresses(route: Route, params: dict[str, str]) -> list[tuple[str, str]]:
    """(what is hostile, the address): each path parameter in turn, then each query parameter, then a
    NUL in a parameter no handler reads."""
    real = fill(route.path, params)
    found = []
    for name, kind in _PARAM.findall(route.path):
        for value in HOSTILE_BY_KIND[kind]:
            hostile = {**params, name: quote(value, safe="/") if kind == "path" else quote(value, safe="")}
            found.append((f"{name}={value[:30]!r}", fill(route.path, hostile)))
    for name in route.query:
        for value in HOSTILE_TEXT:
            found.append((f"?{name}={value[:30]!r}", f"{real}?{name}={quote(value, safe='')}"))
    found.append(("?unread='\\x00'", f"{real}?unread=%00"))
    return found


async def _status(http: httpx.AsyncClient, method: str, path: str, **kwargs: Any) -> tuple[int, str, str]:
    async with http.stream(method, path, **kwargs) as response:
        kind = response.headers.get("content-type", "")
        text = ""
        if not kind.startswith("text/event-stream"):
            text = (await response.aread()).decode(errors="replace")
        return response.status_code, kind, text


def _problem(route: Route, what: str, path: str, status: int, kind: str) -> str | None:
    name = f"{route.method} {route.path}"
    if status >= 500:
        return f"{name} with {what}: {status}"
    if status < 400 or name in KIND_NOT_CHECKED:
        return None
    if path.startswith("/api/") and not kind.startswith("application/json"):
        return f"{route.method} {route.path} with {what}: {status} answered {kind}, not JSON"
    if not path.startswith("/api/") and not kind.startswith("text/html"):
        return f"{route.method} {route.path} with {what}: {status} answered {kind}, not a page"
    return None


@dataclass
class Walk:
    """One role's walk: what it sends, what it has seen (form field names), what went wrong."""

    http: httpx.AsyncClient
    token: str
    session: Callable[[], Awaitable[dict[str, str]]]
    fields: set[str]
    problems: list[str]

    async def send(self, route: Route, what: str, path: str, cookies: dict[str, str], **body: Any) -> None:
        headers = {"x-csrftoken": self.token} if route.method in UNSAFE else {}
        status, kind, text = await _status(self.http, route.method, path, headers=headers, cookies=cookies, **body)
        if route.method == "GET" and status == 200 and kind.startswith("text/html"):
            self.fields.update(_FIELD.findall(text))
        if problem := _problem(route, what, path, status, kind):
            self.problems.append(problem)

    async def reads(self, route: Route, params: dict[str, str]) -> None:
        """A page read changes nothing: its hostile addresses go four at a time, with one session."""
        cookies = await self.session()
        gate = asyncio.Semaphore(4)

        async def one(what: str, path: str) -> None:
            async with gate:
                await self.send(route, what, path, cookies)

        await asyncio.gather(*(one(what, path) for what, path in addresses(route, params)))

    async def writes(self, route: Route, params: dict[str, str]) -> None:
        """One at a time, each with a session of its own (a sign-out ends only that one)."""
        api = route.path.startswith("/api/")
        empty = {"json": {}} if api else {"data": {"_csrf_token": self.token}}
        for what, path in addresses(route, params):
            await self.send(route, what, path, await self.session(), **empty)
        path = fill(route.path, params)
        for value in HOSTILE_FORM:
            if api:
                body: dict[str, Any] = {"json": {"choice": "block", "reason": value}}
            else:
                body = {"data": {**dict.fromkeys(self.fields, value), "_csrf_token": self.token}}
            await self.send(route, f"every form field {value[:30]!r}", path, await self.session(), **body)


@pytest.mark.parametrize("role", ROLES)
async def test_no_route_answers_hostile_input_with_a_server_error(role: str, database_url: str, db) -> None:
    app = create_app(Settings(database_url=database_url, login_rate_limit=100_000))
    cookie_name = app.state.settings.session_cookie_name
    routes = routes_of(app)
    assert len(routes) > 100
    world = await build_world(db)

    async def session() -> dict[str, str]:
        if role == "anonymous":
            return {}
        return {cookie_name: await session_cookie(db, world.people[role])}

    with serve(app) as base_url:
        async with httpx.AsyncClient(base_url=base_url, timeout=30, follow_redirects=False) as http:
            token = _TOKEN.search((await http.get("/login")).text).group(1)
            walk = Walk(http, token, session, fields=set(KNOWN_FIELDS), problems=[])
            for route in routes:
                if route.method in UNSAFE:
                    await walk.writes(route, world.params)
                else:
                    await walk.reads(route, world.params)
    assert not walk.problems, "\n".join(sorted(set(walk.problems)))
