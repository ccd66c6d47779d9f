"""What an operator's release and start-up steps meet: migrations started together, a mistyped or
unmigrated database, several processes on one SQLite file without Redis, the demo in production."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from litestar.testing import AsyncTestClient

from tests.pg import PostgresServer, unique_database_name
from tests.processes import AppProcess, base_environment, passerelle
from workspace.app import create_app
from workspace.core.schema import DatabaseNotReady, head_revision
from workspace.settings import PROJECT_ROOT, Settings

PRODUCTION = {
    "PASSERELLE_ENV": "production",
    "SECRET_KEY": "s" * 48,
    "BASE_URL": "https://passerelle.example.org",
    "SMTP_URL": "smtp://127.0.0.1:1",
    "MAIL_FROM": "Passerelle <passerelle@example.org>",
}


def _migrate_together(environment: dict[str, str], count: int = 3) -> list[subprocess.CompletedProcess[str]]:
    command = [sys.executable, "-m", "workspace.cli", "migrate", "--no-backup"]
    started = [
        subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            stdin=subprocess.DEVNULL,
        )
        for _ in range(count)
    ]
    results = []
    for process in started:
        output, _ = process.communicate(timeout=300)
        results.append(subprocess.CompletedProcess(process.args, process.returncode, output, ""))
    return results


def test_three_migrations_started_together_on_an_empty_postgresql_take_turns(postgres_server: PostgresServer):
    name = unique_database_name("release")
    url = postgres_server.create_database(name)
    try:
        results = _migrate_together(base_environment(url))
        assert [result.returncode for result in results] == [0, 0, 0], "\n".join(r.stdout for r in results)
        assert postgres_server.psql("SELECT version_num FROM alembic_version", dbname=name) == head_revision()
    finally:
        postgres_server.drop_database(name)


def test_three_migrations_started_together_on_a_new_sqlite_file_take_turns(tmp_path: Path):
    path = tmp_path / "fresh.sqlite3"
    results = _migrate_together(base_environment(f"sqlite+aiosqlite:///{path}"))
    assert [result.returncode for result in results] == [0, 0, 0], "\n".join(r.stdout for r in results)
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [(head_revision(),)]


def test_a_mistyped_sqlite_path_is_refused_at_start_and_no_empty_file_is_made(tmp_path: Path):
    mistyped = tmp_path / "var" / "passerelle.sqlite"
    result = passerelle(base_environment(f"sqlite+aiosqlite:///{mistyped}"), "serve", "--port", "1", timeout=60)
    assert result.returncode != 0
    assert f"there is no database at {mistyped}" in result.stderr
    assert not mistyped.exists()


def test_an_unmigrated_database_is_refused_at_start(tmp_path: Path):
    path = tmp_path / "empty.sqlite3"
    sqlite3.connect(path).close()
    result = passerelle(base_environment(f"sqlite+aiosqlite:///{path}"), "serve", "--port", "1", timeout=60)
    assert result.returncode != 0
    assert "not migrated: run `passerelle migrate`" in result.stderr


def test_several_workers_without_redis_are_refused(database_url: str):
    result = passerelle(base_environment(database_url, WORKERS="2"), "serve", "--port", "1", timeout=60)
    assert result.returncode != 0
    assert "WORKERS=2 needs REDIS_URL" in result.stderr


@pytest.mark.sqlite_only
def test_a_second_process_on_the_same_sqlite_file_without_redis_says_what_goes_wrong(database_url, tmp_path):
    first = AppProcess.web(tmp_path / "first.log", database_url).start()
    second = AppProcess.web(tmp_path / "second.log", database_url)
    try:
        first.wait_ready()
        second.start().wait_ready()
        assert "Another Passerelle process serves" not in first.output()
        assert "Another Passerelle process serves" in second.output()
        assert "set REDIS_URL for all of them" in second.output()
    finally:
        first.kill()
        second.kill()


@pytest.mark.sqlite_only
def test_two_processes_on_one_sqlite_file_with_redis_say_nothing_of_it(database_url, redis_url, tmp_path):
    first = AppProcess.web(tmp_path / "first.log", database_url, REDIS_URL=redis_url).start()
    second = AppProcess.web(tmp_path / "second.log", database_url, REDIS_URL=redis_url)
    try:
        first.wait_ready()
        second.start().wait_ready()
        assert "Another Passerelle process serves" not in first.output() + second.output()
    finally:
        first.kill()
        second.kill()


@pytest.mark.sqlite_only
def test_the_demo_is_not_loaded_in_production(database_url: str):
    result = passerelle(base_environment(database_url, **PRODUCTION), "demo", timeout=60)
    assert result.returncode != 0
    assert "the demo is not loaded in production" in result.stderr


def test_migrate_backs_the_database_up_first_when_asked(tmp_path: Path):
    path = tmp_path / "before.sqlite3"
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["database_url"] = f"sqlite+aiosqlite:///{path}"
    config.attributes["configure_logger"] = False
    command.upgrade(config, "0010")
    backup = tmp_path / "backups" / "before-0011.sqlite3"
    result = passerelle(base_environment(f"sqlite+aiosqlite:///{path}"), "migrate", "--backup", str(backup))
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(backup) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [("0010",)]
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [(head_revision(),)]


async def test_an_app_built_on_a_missing_database_refuses_to_start_and_makes_no_file(tmp_path: Path):
    missing = tmp_path / "passerelle.sqlite"
    app = create_app(Settings(database_url=f"sqlite+aiosqlite:///{missing}"))  # building it touches nothing
    with pytest.raises(ExceptionGroup) as refused:  # the server's lifespan task group carries it
        async with AsyncTestClient(app=app):
            pass
    assert refused.group_contains(DatabaseNotReady, match="there is no database at", depth=None)
    assert not missing.exists()
