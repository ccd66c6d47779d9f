"""Two real processes on PostgreSQL + Redis behind a real nginx with deploy/nginx/passerelle-proxy.conf:
a sign-in honoured by both, a comment reaching a live stream whichever process took it, an export asked
of one and downloaded from the other, and one process killed while the other goes on serving."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.discussion.support import discussion_room
from tests.discussion.test_live import post_comment
from tests.dossier.support import consolidation
from tests.factories import PASSWORD
from tests.helpers import open_session
from tests.ops.support import eventually, export_row, form_post
from tests.processes import AppProcess
from tests.servers import free_port
from tests.voting.test_colloquium import next_event
from workspace.dossier.models import ExportStatus
from workspace.settings import PROJECT_ROOT

PROXY_RULES = PROJECT_ROOT / "deploy" / "nginx" / "passerelle-proxy.conf"


class Nginx:
    """nginx in the foreground, its own prefix folder, the deploy rules in front of `upstreams`."""

    def __init__(self, directory: Path, upstreams: list[int]) -> None:
        executable = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(executable).exists():
            raise RuntimeError("nginx is missing: `make test` installs it (scripts/system-deps.sh)")
        self.executable = executable
        self.directory = directory
        self.port = free_port()
        (directory / "logs").mkdir(parents=True, exist_ok=True)
        servers = "\n".join(f"    server 127.0.0.1:{port} max_fails=1 fail_timeout=10s;" for port in upstreams)
        user = "user root;\n" if os.geteuid() == 0 else ""
        (directory / "nginx.conf").write_text(
            f"{user}worker_processes 1;\npid {directory}/nginx.pid;\nerror_log {directory}/logs/error.log;\n"
            "events { worker_connections 256; }\n"
            f"http {{\n  access_log {directory}/logs/access.log;\n"
            f"  client_body_temp_path {directory}/body;\n  proxy_temp_path {directory}/proxy;\n"
            f"  upstream passerelle {{\n{servers}\n    keepalive 8;\n  }}\n"
            f"  server {{\n    listen 127.0.0.1:{self.port};\n    include {PROXY_RULES};\n  }}\n}}\n"
        )
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Nginx:
        self.process = subprocess.Popen(
            [self.executable, "-p", str(self.directory), "-c", str(self.directory / "nginx.conf"),
             "-g", "daemon off;"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base_url}/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError((self.directory / "logs" / "error.log").read_text())

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def two_processes(database_url: str, redis_url: str, tmp_path: Path) -> Iterator[tuple[AppProcess, AppProcess]]:
    first = AppProcess.web(tmp_path / "first.log", database_url, REDIS_URL=redis_url).start()
    second = AppProcess.web(tmp_path / "second.log", database_url, REDIS_URL=redis_url).start()
    try:
        yield first.wait_ready(), second.wait_ready()
    finally:
        first.kill()
        second.kill()


@pytest.fixture
def nginx(two_processes: tuple[AppProcess, AppProcess], tmp_path: Path) -> Iterator[Nginx]:
    server = Nginx(tmp_path / "nginx", [process.port for process in two_processes]).start()
    try:
        yield server
    finally:
        server.stop()


pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


async def test_a_sign_in_through_nginx_is_honoured_by_both_processes(database_url, db, settings, two_processes, nginx):
    room = await discussion_room(db)
    async with httpx.AsyncClient(base_url=nginx.base_url, timeout=30) as browser:
        browser.headers["accept-language"] = "en"
        signed = await form_post(browser, "/login", {"email": room.member.email, "password": PASSWORD},
                                 token_from="/login")  # fmt: skip
        assert signed.status_code == 303, signed.text[:300]
        cookie = browser.cookies[settings.session_cookie_name]
    for process in two_processes:
        async with httpx.AsyncClient(base_url=process.base_url, cookies={settings.session_cookie_name: cookie},
                                     timeout=30) as direct:  # fmt: skip
            profile = await direct.get("/profile")
            assert profile.status_code == 200, process.base_url
            assert room.member.display_name in profile.text


async def test_comments_posted_on_either_process_reach_a_stream_open_through_nginx(
    database_url, db, settings, two_processes, nginx
):
    room = await discussion_room(db)
    cookie = settings.session_cookie_name
    reader = {cookie: await open_session(db, room.author)}
    writer = {cookie: await open_session(db, room.member)}
    stream_path = f"/recommendations/{room.recommendation.id}/discussion/stream"
    async with (
        httpx.AsyncClient(base_url=nginx.base_url, cookies=reader, timeout=30) as page,
        page.stream("GET", stream_path) as stream,
    ):
        assert stream.status_code == 200
        lines = stream.aiter_lines()
        await next_event(lines, "comments")
        for number, process in enumerate(two_processes, start=1):
            async with httpx.AsyncClient(base_url=process.base_url, cookies=writer, timeout=30) as direct:
                posted = await post_comment(direct, room.recommendation.id, f"Comment number {number} of two")
                assert posted.status_code == 303
            shown = await asyncio.wait_for(next_event(lines, "comments"), timeout=20)
            assert f"Comment number {number} of two" in shown


async def test_an_export_asked_of_one_process_is_downloaded_from_the_other_and_through_nginx(
    database_url, db, settings, two_processes, nginx
):
    setup = await consolidation(db)
    cookies = {settings.session_cookie_name: await open_session(db, setup.facilitator)}
    slug = setup.cycle.slug
    first, second = two_processes
    async with httpx.AsyncClient(base_url=first.base_url, cookies=cookies, timeout=30) as asking:
        asked = await form_post(asking, f"/cycles/{slug}/dossier/exports", {"format": "docx", "language": "fr-nl"},
                                token_from=f"/cycles/{slug}/dossier/consolidation")  # fmt: skip
        assert asked.status_code == 303, asked.text[:300]
        progress = asked.headers["location"]

    async def done() -> bool:
        row = await export_row(db)
        return row is not None and row.status == ExportStatus.DONE

    await eventually(done, within=120)
    for base_url in (second.base_url, nginx.base_url):
        async with httpx.AsyncClient(base_url=base_url, cookies=cookies, timeout=30) as downloading:
            download = await downloading.get(f"{progress}/download")
            assert download.status_code == 200, base_url
            assert download.content.startswith(b"PK"), base_url  # a DOCX is a ZIP


async def test_one_process_killed_the_other_serves_every_request_through_nginx(
    database_url, db, settings, two_processes, nginx
):
    room = await discussion_room(db)
    cookies = {settings.session_cookie_name: await open_session(db, room.member)}
    first, _second = two_processes
    async with httpx.AsyncClient(base_url=nginx.base_url, cookies=cookies, timeout=30) as browser:
        assert (await browser.get(f"/recommendations/{room.recommendation.id}")).status_code == 200
        first.kill()
        for _ in range(6):
            page = await browser.get(f"/recommendations/{room.recommendation.id}")
            assert page.status_code == 200
        posted = await post_comment(browser, room.recommendation.id, "Written after one process died")
        assert posted.status_code == 303
        assert (
            "Written after one process died" in (await browser.get(f"/recommendations/{room.recommendation.id}")).text
        )
