"""Browser tests: the real app under uvicorn, driven by Debian's headless Chromium through Playwright.

One server and one browser per test session (per xdist worker; the tests share the `browser` xdist group,
so `--dist loadgroup` keeps them on one worker); every test gets a fresh browser context.

The server gets its own SQLite file in a temporary directory, migrated and loaded with the demo data by the
real CLI (`python -m workspace.cli migrate|demo`), and is stopped when the session ends, also on failure.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from tests.browser.support import sign_in
from workspace.settings import PROJECT_ROOT

CHROMIUM = Path(os.environ.get("PASSERELLE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SERVER_START_TIMEOUT = 30.0
DEFAULT_TIMEOUT_MS = 10_000

BROWSER_DIR = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test of this directory `browser`, and keep them together under `pytest -n --dist loadgroup`."""
    with_xdist = config.pluginmanager.hasplugin("xdist")
    for item in items:
        if BROWSER_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)
            if with_xdist:
                item.add_marker(pytest.mark.xdist_group("browser"))


# --------------------------------------------------------------------------------------------------------------
# The live server


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run_cli(env: dict[str, str], *args: str) -> None:
    command = [sys.executable, "-m", "workspace.cli", *args]
    result = subprocess.run(
        command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=180, check=False
    )
    if result.returncode != 0:
        pytest.fail(
            f"`{' '.join(command)}` failed with exit code {result.returncode}:\n{result.stdout}\n{result.stderr}",
            pytrace=False,
        )


def _wait_until_answering(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"uvicorn exited with code {process.returncode} before answering:\n{log.read_text(errors='replace')}",
                pytrace=False,
            )
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our own http://127.0.0.1 server
                return
        except urllib.error.HTTPError:
            return  # it answers, even if not with 200
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    pytest.fail(f"uvicorn did not answer {url} within {SERVER_START_TIMEOUT:.0f} s:\n{log.read_text(errors='replace')}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def live_workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the live server keeps its SQLite file (`passerelle.sqlite3`) and its log."""
    return tmp_path_factory.mktemp("live_server")


@pytest.fixture(scope="session")
def live_server(live_workdir: Path) -> Iterator[str]:
    """Base URL (no trailing slash) of the app served by uvicorn on a free port, with the demo data loaded."""
    workdir = live_workdir
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "SMTP_URL", "SECURE_COOKIES", "DEBUG", "SQL_ECHO", "SECRET_KEY"}
    }
    env.update(
        DATABASE_URL=f"sqlite+aiosqlite:///{workdir / 'passerelle.sqlite3'}",
        PASSERELLE_ENV="development",
        BASE_URL=base_url,
        # Every test signs in through the form from 127.0.0.1: the per-minute limit is not what is tested here.
        LOGIN_RATE_LIMIT="1000",
        PYTHONUNBUFFERED="1",
    )
    _run_cli(env, "migrate")
    _run_cli(env, "demo")

    log = workdir / "server.log"
    with log.open("wb") as log_file:
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "workspace.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ]
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT)
        try:
            _wait_until_answering(f"{base_url}/login", process, log)
            yield base_url
        finally:
            _stop(process)


# --------------------------------------------------------------------------------------------------------------
# The browser
#
# Sync Playwright runs its own asyncio loop in a greenlet and, between two calls, leaves that loop marked as the
# thread's running loop. Any async test that pytest-asyncio runs afterwards in the same process would then fail
# with "Runner.run() cannot be called from a running event loop". So the mark is set only while a browser test
# runs (`_playwright_loop`, autouse below) and cleared after it.


@pytest.fixture(scope="session")
def _playwright() -> Iterator[tuple[Playwright, asyncio.AbstractEventLoop]]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is missing at {CHROMIUM}: install Debian's `chromium` package (apt-get install chromium), "
            "or point PASSERELLE_CHROMIUM at a Chromium binary. Do not run `playwright install`.",
            pytrace=False,
        )
    manager = sync_playwright()
    playwright = manager.start()
    loop = asyncio.get_running_loop()  # Playwright's own loop, see above
    try:
        yield playwright, loop
    finally:
        asyncio._set_running_loop(loop)
        manager.__exit__(None, None, None)


@pytest.fixture(scope="session")
def browser(_playwright: tuple[Playwright, asyncio.AbstractEventLoop]) -> Iterator[Browser]:
    playwright, loop = _playwright
    asyncio._set_running_loop(loop)
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
    except Exception as error:
        pytest.fail(f"Chromium at {CHROMIUM} did not start: {error}", pytrace=False)
    try:
        yield browser
    finally:
        asyncio._set_running_loop(loop)
        browser.close()


@pytest.fixture(autouse=True)
def _playwright_loop(_playwright: tuple[Playwright, asyncio.AbstractEventLoop], browser: Browser) -> Iterator[None]:
    _, loop = _playwright
    asyncio._set_running_loop(loop)
    try:
        yield
    finally:
        asyncio._set_running_loop(None)


@pytest.fixture
def new_context(_playwright_loop: None, browser: Browser, live_server: str) -> Iterator[Callable[..., BrowserContext]]:
    """Make browser contexts (locale fr-BE, base URL of the live server), all closed at the end of the test."""
    contexts: list[BrowserContext] = []

    def make(**options: Any) -> BrowserContext:
        options = {"locale": "fr-BE", "base_url": live_server, **options}
        context = browser.new_context(**options)
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        with contextlib.suppress(Exception):
            context.close()


@pytest.fixture
def page(new_context: Callable[..., BrowserContext]) -> Page:
    """A fresh anonymous page (French-speaking Belgian browser) in a context of its own."""
    return new_context().new_page()


# --------------------------------------------------------------------------------------------------------------
# Signing in


@pytest.fixture(scope="session")
def signed_in_state(browser: Browser, live_server: str) -> Callable[[str], dict[str, Any]]:
    """Cookies of a session opened through the login form, once per person and test session."""
    states: dict[str, dict[str, Any]] = {}

    def state(email: str) -> dict[str, Any]:
        if email not in states:
            context = browser.new_context(locale="fr-BE", base_url=live_server)
            context.set_default_timeout(DEFAULT_TIMEOUT_MS)
            try:
                sign_in(context.new_page(), email)
                states[email] = context.storage_state()
            finally:
                context.close()
        return states[email]

    return state


@pytest.fixture
def page_as(
    new_context: Callable[..., BrowserContext], signed_in_state: Callable[[str], dict[str, Any]]
) -> Callable[[str], Page]:
    """`page_as(email)`: a fresh page in a fresh context, signed in as that demo person."""

    def make(email: str) -> Page:
        return new_context(storage_state=signed_in_state(email)).new_page()

    return make
