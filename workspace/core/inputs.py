"""Hostile input refused before a handler sees it, and the bounds of numbers a request may carry.

- A NUL byte in the address (path or query string) is refused with a 400 for every route, in one
  place: `refuse_hostile_addresses`, the app's before-request hook. PostgreSQL refuses NUL in a string
  and SQLite would store it. Form fields are cleaned instead (`Form.from_data` strips NUL). The same
  hook answers 404 for a path with a part longer than `MAX_SEGMENT`: no address of the app has one,
  and the static files would fail on it (a file name that long is an OS error, not a missing file).
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


async def refuse_hostile_addresses(request: Request[Any, Any, Any]) -> None:
    """Before every handler: an address holding a NUL byte is a bad request, whatever it names."""
    path = request.scope["path"]
    if "\x00" in path or b"%00" in request.scope["query_string"]:
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
