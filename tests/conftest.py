"""Fixtures: a real database per test (SQLite file or PostgreSQL), the app built by create_app, a client.

Every test that uses `database_url` runs twice, on SQLite and on PostgreSQL, unless marked `sqlite_only`.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.db_fixtures import postgres_server  # noqa: F401 - fixture
from tests.pg import PostgresServer, unique_database_name
from tests.processes import RedisServer
from workspace.app import create_app
from workspace.core.db import Database
from workspace.settings import PROJECT_ROOT, Settings

DATABASES = ("sqlite", "postgresql")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only: runs on SQLite only (SQLite-specific behaviour)")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "database_url" not in metafunc.fixturenames:
        return
    if any(
        mark.name == "parametrize" and "database_url" in mark.args[0] for mark in metafunc.definition.iter_markers()
    ):
        return
    kinds = ["sqlite"] if metafunc.definition.get_closest_marker("sqlite_only") else list(DATABASES)
    metafunc.parametrize("database_url", kinds, indirect=True)


def _migrate(url: str) -> None:
    """Build the schema the way production does: every Alembic migration, up to head."""
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["database_url"] = url
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    _migrate(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_template(postgres_server: PostgresServer) -> str:  # noqa: F811
    name = "passerelle_template"
    _migrate(postgres_server.create_database(name))
    return name


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[str]:
    kind = getattr(request, "param", "sqlite")
    if kind == "sqlite":
        path = tmp_path / "passerelle.sqlite3"
        shutil.copyfile(sqlite_template, path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    template = request.getfixturevalue("postgres_template")
    name = unique_database_name()
    yield server.create_database(name, template=template)
    server.drop_database(name)


@pytest.fixture
def settings(database_url: str, request: pytest.FixtureRequest) -> Settings:
    run_jobs = request.node.get_closest_marker("without_jobs") is None
    return Settings(database_url=database_url, login_rate_limit=1000, run_jobs=run_jobs)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


@pytest.fixture
def app(settings: Settings) -> Litestar:
    return create_app(settings)


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=app) as test_client:
        yield test_client


_REAL_PARTS = {"postgresql": 0, "chromium": 0}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when != "call" or not report.passed:
        return
    if "[postgresql" in report.nodeid or "postgresql]" in report.nodeid or "_postgresql" in report.nodeid:
        _REAL_PARTS["postgresql"] += 1
    if report.nodeid.startswith("tests/browser/"):
        _REAL_PARTS["chromium"] += 1


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    terminalreporter.write_line(
        f"real parts: {_REAL_PARTS['postgresql']} tests passed on PostgreSQL, "
        f"{_REAL_PARTS['chromium']} in Chromium (none skipped by design)"
    )


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A real redis-server on loopback; the test may `stop()` and `start()` it again on the same port."""
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """A real redis-server on loopback, for live events and stores shared across processes."""
    return redis_server.url
