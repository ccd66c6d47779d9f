"""The served app's own request lines, as a log collector reads them in production: one JSON object per
request with its id (nginx's, when it sends one), method, path, status and duration."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from tests.processes import AppProcess

pytestmark = pytest.mark.sqlite_only


def _lines(output: str) -> list[dict]:  # type: ignore[type-arg]
    found = []
    for line in output.splitlines():
        if line.startswith("{"):
            found.append(json.loads(line))
    return found


def _logged(server: AppProcess, *paths: str, within: float = 10) -> list[dict]:  # type: ignore[type-arg]
    """The process's JSON lines once every path has its line: a request is logged when its response has
    been sent, so the line may land a moment after the client has read the response."""
    deadline = time.monotonic() + within
    while True:
        lines = _lines(server.output())
        if all(any(line.get("path") == path for line in lines) for path in paths) or time.monotonic() > deadline:
            return lines
        time.sleep(0.1)


async def test_each_request_is_one_json_line_with_its_id_method_path_status_and_duration(database_url, tmp_path):
    server = AppProcess.web(tmp_path / "web.log", database_url, LOG_FORMAT="json").start()
    try:
        server.wait_ready()
        async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as client:
            given = await client.get("/login", headers={"x-request-id": "0f1e2d3c4b5a69788796a5b4c3d2e1f0"})
            made = await client.get("/no-such-page")
        assert given.headers["x-request-id"] == "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
        assert made.status_code == 404
        assert len(made.headers["x-request-id"]) >= 8
        lines = _logged(server, "/login", "/no-such-page")
        [login] = [line for line in lines if line.get("path") == "/login"]
        assert login["request_id"] == "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
        assert (login["method"], login["status"]) == ("GET", 200)
        assert login["duration_ms"] >= 0
        [missing] = [line for line in lines if line.get("path") == "/no-such-page"]
        assert (missing["status"], missing["request_id"]) == (404, made.headers["x-request-id"])
    finally:
        server.kill()
