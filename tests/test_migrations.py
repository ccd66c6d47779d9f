"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, MetaData, String, inspect
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from tests.db_fixtures import postgres_server  # noqa: F401
from tests.pg import PostgresServer
from workspace.models import metadata

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ALEMBIC_INI = PROJECT_ROOT / "alembic.ini"


def alembic_config(url: str) -> Config:
    config = Config(str(ALEMBIC_INI))
    config.attributes["database_url"] = url
    config.attributes["configure_logger"] = False
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head


def inspect_database(url: str) -> dict[str, Any]:
    """Tables, and the revision stamped in alembic_version, as the database reports them."""

    def read(connection: Connection) -> dict[str, Any]:
        return {
            "tables": {name for name in inspect(connection).get_table_names() if not name.startswith("search_")},
            "revision": MigrationContext.configure(connection).get_current_revision(),
        }

    async def run() -> dict[str, Any]:
        engine = create_async_engine(url, poolclass=NullPool)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(read)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def schema_differences(url: str, target: MetaData = metadata) -> list[Any]:
    """``compare_metadata`` between the database and ``target``, configured by migrations/env.py.

    Running env.py (as ``alembic check`` does) compares with the project's own options: type
    comparison, the hook for SQLite's reflection, the database URL rules.
    """
    config = alembic_config(url)
    script = ScriptDirectory.from_config(config)
    differences: list[Any] = []

    def compare(_heads: Any, migration_context: MigrationContext) -> list[Any]:
        differences.extend(compare_metadata(migration_context, target))
        return []  # nothing to migrate: only compare

    with EnvironmentContext(config, script, fn=compare):
        script.run_env()
    return differences


JOB_TABLES = frozenset(
    {  # procrastinate's schema, made by migration 0011 on PostgreSQL only
        "procrastinate_events",
        "procrastinate_periodic_defers",
        "procrastinate_jobs",
        "procrastinate_workers",
    }
)


def assert_upgrade_downgrade_upgrade(url: str, *, job_tables: frozenset[str] = frozenset()) -> None:
    config = alembic_config(url)
    model_tables = set(metadata.tables) | job_tables

    command.upgrade(config, "head")
    after_upgrade = inspect_database(url)
    assert after_upgrade["revision"] == head_revision()
    assert after_upgrade["tables"] == model_tables | {"alembic_version"}

    command.downgrade(config, "base")
    after_downgrade = inspect_database(url)
    assert after_downgrade["revision"] is None
    assert after_downgrade["tables"] == {"alembic_version"}, "downgrade to base must drop every table"

    command.upgrade(config, "head")
    again = inspect_database(url)
    assert again["revision"] == head_revision()
    assert again["tables"] == model_tables | {"alembic_version"}


def metadata_with_a_changed_column() -> MetaData:
    """The models' metadata with user_account.email widened: a change no migration knows about."""
    changed = MetaData(naming_convention=metadata.naming_convention)
    for table in metadata.sorted_tables:
        table.to_metadata(changed)
    changed.tables["user_account"].c.email.type = String(320)
    return changed


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'migrations.sqlite3'}"


@pytest.fixture
def postgresql_url(postgres_server: PostgresServer) -> str:  # noqa: F811
    return postgres_server.create_database()


def test_migrations_upgrade_and_downgrade_on_sqlite(sqlite_url: str) -> None:
    assert_upgrade_downgrade_upgrade(sqlite_url)


def test_migrations_upgrade_and_downgrade_on_postgresql(postgresql_url: str) -> None:
    assert_upgrade_downgrade_upgrade(postgresql_url, job_tables=JOB_TABLES)


def test_migrated_sqlite_schema_matches_the_models(sqlite_url: str) -> None:
    command.upgrade(alembic_config(sqlite_url), "head")
    assert schema_differences(sqlite_url) == []


def test_migrated_postgresql_schema_matches_the_models(postgresql_url: str) -> None:
    command.upgrade(alembic_config(postgresql_url), "head")
    assert schema_differences(postgresql_url) == []


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_schema_comparison_reports_models_the_migrations_do_not_follow(
    database: str, request: pytest.FixtureRequest
) -> None:
    url = request.getfixturevalue(f"{database}_url")
    command.upgrade(alembic_config(url), "head")

    differences = schema_differences(url, metadata_with_a_changed_column())

    assert [(diff[0][0], diff[0][2], diff[0][3]) for diff in differences] == [("modify_type", "user_account", "email")]
    # And with no models at all, every migrated table is reported as one too many.
    removed = {diff[1].name for diff in schema_differences(url, MetaData()) if diff[0] == "remove_table"}
    assert removed == set(metadata.tables)


def test_the_search_stays_in_step_at_the_head_on_sqlite(sqlite_url: str) -> None:
    """A migration that rebuilds the recommendation table (SQLite's batch mode) must not leave the full-text
    table behind: its three triggers are there at the head, and a recommendation written then is found."""
    command.upgrade(alembic_config(sqlite_url), "head")

    async def run() -> tuple[set[str], list[Any]]:
        engine = create_async_engine(sqlite_url, poolclass=NullPool)
        try:
            async with engine.begin() as connection:
                triggers = {
                    row[0]
                    for row in await connection.exec_driver_sql(
                        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'recommendation'"
                    )
                }
                await connection.exec_driver_sql(
                    "INSERT INTO recommendation (id, cycle_id, axis_id, status, language, title, finding, proposal,"
                    " action_level, institutions, expected_effect, scheme_fr, scheme_wal, scheme_vl, harmonisation,"
                    " revision_number, discussion_locked, privacy_confirmations, created_at, updated_at)"
                    " VALUES (x'01', x'02', x'03', 'draft', 'fr', 'Un guichet', 'Une caution trop lourde', '', "
                    "'local', '', '', '', '', '', '', 1, 0, '[]', '2026-01-01', '2026-01-01')"
                )
                found = list(
                    await connection.exec_driver_sql(
                        "SELECT recommendation_id FROM search_recommendation"
                        " WHERE search_recommendation MATCH 'caution'"
                    )
                )
                return triggers, found
        finally:
            await engine.dispose()

    triggers, found = asyncio.run(run())
    assert triggers == {f"search_recommendation_{name}" for name in ("insert", "update", "delete")}
    assert found == [(b"\x01",)]
