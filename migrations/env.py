"""Alembic environment: async engines, the models' metadata, batch operations for SQLite.

The database URL comes from, first match wins:

1. ``config.attributes["database_url"]`` (Python API, used by the tests);
2. ``alembic -x database_url=...``;
3. ``sqlalchemy.url`` set in alembic.ini or with ``config.set_main_option``;
4. ``DATABASE_URL`` through ``workspace.settings.get_settings()``.

A caller may also hand over an open synchronous connection in ``config.attributes["connection"]``
(for instance inside ``AsyncConnection.run_sync``); it is used as is and the caller owns its transaction.

Several ``passerelle migrate`` started at once (a release step on every machine) take turns: on
PostgreSQL each takes an advisory lock for its transaction before it reads the current revision, on
SQLite an exclusive lock on a file beside the database; the ones that wait then find nothing to do.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import re
import threading
from collections.abc import Coroutine
from logging.config import fileConfig
from pathlib import Path
from typing import Any

import advanced_alchemy.types
from alembic import context
from alembic.autogenerate.api import AutogenContext
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, pool, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.types import TypeEngine

from workspace.models import metadata
from workspace.settings import get_settings

config = context.config
target_metadata = metadata

# Names script.py.mako always imports from advanced_alchemy.types; other advanced-alchemy types get an
# import added to the generated revision by render_item below.
TEMPLATE_TYPE_IMPORTS = frozenset({"GUID", "DateTimeUTC"})

if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    # Keep the loggers other code (and pytest's caplog) already set up.
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def database_url() -> str:
    url = (
        config.attributes.get("database_url")
        or context.get_x_argument(as_dictionary=True).get("database_url")
        or config.get_main_option("sqlalchemy.url")
        or get_settings().database_url
    )
    return str(url)


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | bool:
    """Render advanced-alchemy column types as ``GUID(length=16)`` and import them.

    Alembic would otherwise write ``advanced_alchemy.types.guid.GUID(length=16)`` without importing
    the module.
    """
    if type_ != "type" or not isinstance(obj, TypeEngine):
        return False
    cls = type(obj)
    if not cls.__module__.startswith("advanced_alchemy.types"):
        return False
    name = cls.__name__
    if getattr(advanced_alchemy.types, name, None) is cls:
        if name not in TEMPLATE_TYPE_IMPORTS:
            autogen_context.imports.add(f"from advanced_alchemy.types import {name}")
        return repr(obj)
    autogen_context.imports.add(f"import {cls.__module__}")
    return f"{cls.__module__}.{obj!r}"


def compare_type(
    migration_context: MigrationContext,
    inspected_column: Column[Any],
    metadata_column: Column[Any],
    inspected_type: TypeEngine[Any],
    metadata_type: TypeEngine[Any],
) -> bool | None:
    """Ignore what SQLite's reflection cannot see; otherwise let Alembic compare (``None``).

    SQLite keeps any declared type name but reflection maps names it does not know through its
    affinity rules: advanced-alchemy's GUID is declared ``BINARY(16)`` and read back as
    ``NUMERIC(16)``. When the declared type is such a name, compare what reflection would make of it.
    """
    dialect = migration_context.dialect
    if dialect.name != "sqlite":
        return None
    declared = metadata_type.compile(dialect=dialect)
    match = re.match(r"[\w ]+", declared)
    if match is None or match.group(0).strip() in dialect.ischema_names:
        return None
    as_reflected = dialect._resolve_type_affinity(declared)  # type: ignore[attr-defined]
    if as_reflected.compile(dialect=dialect) == inspected_type.compile(dialect=dialect):
        return False
    return None


# Full-text search lives outside the models: an FTS5 table (and its shadow tables) on SQLite, an
# expression index on PostgreSQL, both made by hand in migrations. Autogenerate must not drop them.
SEARCH_PREFIX = "search_"
JOBS_PREFIX = "procrastinate_"
"""The job library's own tables (PostgreSQL), made by migration 0011 from its schema, not from our models."""


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    return not (name and name.startswith((SEARCH_PREFIX, JOBS_PREFIX)))


def configure_options() -> dict[str, Any]:
    return {
        "target_metadata": target_metadata,
        "include_name": include_name,
        "compare_type": compare_type,
        # SQLite cannot ALTER most things: batch mode recreates the table instead. Autogenerate always
        # renders batch operations, so a revision generated against PostgreSQL still runs on SQLite
        # (on PostgreSQL they are plain ALTER TABLE statements).
        "render_as_batch": True,
        "render_item": render_item,
    }


def run_migrations_offline() -> None:
    """Emit SQL to stdout (``alembic upgrade head --sql``) without connecting."""
    url = make_url(database_url())
    context.configure(
        url=url,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        **configure_options(),
    )
    with context.begin_transaction():
        context.run_migrations()


MIGRATION_LOCK = 0x70617373  # "pass": the advisory lock's key, the same for every process


def do_run_migrations(connection: Connection) -> None:
    context.configure(connection=connection, **configure_options())
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        context.run_migrations()


@contextlib.contextmanager
def sqlite_migration_lock(database: str | None) -> Any:
    """An exclusive lock on `<database>.migrate.lock` while this process migrates the file."""
    if not database or database == ":memory:":
        yield
        return
    fd = os.open(f"{database}.migrate.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


async def run_async_migrations() -> None:
    url = make_url(database_url())
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url, poolclass=pool.NullPool)
    locked = sqlite_migration_lock(url.database) if url.get_backend_name() == "sqlite" else contextlib.nullcontext()
    try:
        with locked:
            async with engine.connect() as connection:
                await connection.run_sync(do_run_migrations)
                await connection.commit()
    finally:
        await engine.dispose()


def run_coroutine(coroutine: Coroutine[Any, Any, None]) -> None:
    """``asyncio.run`` it, in a thread of its own when called from inside a running event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(coroutine)
        return
    errors: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(coroutine)
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=target, name="alembic-migrations")
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        do_run_migrations(connection)
    else:
        run_coroutine(run_async_migrations())


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
