"""Hostile input refused or cleaned before a handler sees it, and the bounds of numbers a request may carry.

- A NUL byte has no place in text: PostgreSQL refuses it in a string, SQLite would store it for the
  dossier to print. A query string holds the fields of a GET form (the search box, the filters), so it is
  cleaned as posted forms are (`Form.from_data` strips NUL): `CleanQueryString`, a middleware outside the
  session and everything else that might read the query, takes NUL out first. A path names a page and cannot be cleaned
  into another one: `refuse_hostile_addresses`, the app's before-request hook, answers 400 (the friendly
  page, or JSON under /api/) to a path holding a NUL byte, and 404 to one with a part longer than
  `MAX_SEGMENT` (no address of the app has one, and the static files would fail on it: a file name that
  long is an OS error, not a missing file).
- JSON bodies are decoded only when at most `MAX_JSON_DEPTH` deep and `MAX_JSON_BYTES` long
  (`BoundedRequest.json`): msgspec decodes nesting recursively, so a body of 100,000 `[` would raise
  RecursionError deep inside Litestar instead of a 400.
- Numbers in a path or a query are declared `NumberInPath` / `NumberInQuery` (1 to `MAX_NUMBER`), and
  numbers typed in a form are read with `bounded_number`: a larger one fits neither PostgreSQL's
  `integer` (asyncpg refuses it) nor SQLite's (Python overflows).
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request
from litestar.exceptions import ClientException, NotFoundException
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.params import PathParameter, QueryParameter
from litestar.plugins.htmx import HTMXRequest
from litestar.types import ASGIApp, Receive, Scope, Send

MAX_NUMBER = 2**31 - 1
"""The largest number a request may carry: PostgreSQL's `integer` (SQLite's are wider)."""
MAX_SEGMENT = 255
MAX_JSON_DEPTH = 32
MAX_JSON_BYTES = 256 * 1024
"""A ballot is a few dozen bytes; a 20,000-character text written as `\\uXXXX` escapes stays below."""

NumberInPath = Annotated[int, PathParameter(ge=1, le=MAX_NUMBER)]
"""A revision or version number in the path: out of range answers 400."""
NumberInQuery = Annotated[int, QueryParameter(ge=1, le=MAX_NUMBER)]

_OPENERS = frozenset(b"[{")
_CLOSERS = frozenset(b"]}")
_QUOTE, _BACKSLASH = ord('"'), ord("\\")


def bounded_number(raw: str, *, minimum: int = 1, maximum: int = MAX_NUMBER) -> int | None:
    """`raw` as a whole number between the bounds, or None."""
    try:
        number = int(raw)
    except ValueError:
        return None
    return number if minimum <= number <= maximum else None


class CleanQueryString:
    """ASGI middleware: the query string without its NUL bytes (written `%00`, or raw)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        query = scope.get("query_string", b"")
        if b"%00" in query or b"\x00" in query:
            scope["query_string"] = query.replace(b"%00", b"").replace(b"\x00", b"")
        await self.app(scope, receive, send)


async def refuse_hostile_addresses(request: Request[Any, Any, Any]) -> None:
    """Before every handler (so that the error page is in the reader's language and shows them signed in):
    a path holding a NUL byte is a bad request, whatever it names."""
    path = request.scope["path"]
    if "\x00" in path:
        raise ClientException(detail="The address holds a NUL byte.")
    if len(path) > MAX_SEGMENT and any(len(part) > MAX_SEGMENT for part in path.split("/")):
        raise NotFoundException()


def nested_deeper_than(body: bytes, limit: int) -> bool:
    """Whether the JSON text `body` opens more than `limit` arrays or objects inside one another
    (brackets inside strings do not count)."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    depth = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == _BACKSLASH:
                escaped = True
            elif byte == _QUOTE:
                in_string = False
        elif byte == _QUOTE:
            in_string = True
        elif byte in _OPENERS:
            depth += 1
            if depth > limit:
                return True
        elif byte in _CLOSERS:
            depth -= 1
    return False


class BoundedRequest(HTMXRequest):
    """The app's request class (htmx details included): its JSON body is bounded before it is decoded."""

    async def json(self) -> Any:
        body = await self.body()
        if len(body) > MAX_JSON_BYTES:
            raise RequestEntityTooLarge(detail=f"The JSON body is longer than {MAX_JSON_BYTES} bytes.")
        if nested_deeper_than(body, MAX_JSON_DEPTH):
            raise ClientException(detail=f"The JSON body is nested more than {MAX_JSON_DEPTH} levels deep.")
        return await super().json()
