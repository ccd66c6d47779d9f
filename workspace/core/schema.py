"""Is the database the one this code expects? Checked before the app serves anything.

A mistyped SQLite path must not become a new, empty database, and a database that `passerelle migrate`
has not brought to the latest schema must not answer every page with "no such table": the app refuses to
start and says what to do. `/ready` asks the same question (`revision_state`).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError

from workspace.core.db import Database
from workspace.settings import PROJECT_ROOT


class DatabaseNotReady(RuntimeError):
    """The database is missing, unreachable or not migrated to the schema this code needs."""


def sqlite_file(url: str) -> Path | None:
    """The file of an SQLite URL (None for PostgreSQL or an in-memory database)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def require_existing_file(url: str) -> None:
    """Refuse an SQLite path where there is no database: opening it would make an empty one."""
    path = sqlite_file(url)
    if path is not None and not path.is_file():
        raise DatabaseNotReady(
            f"there is no database at {path} (DATABASE_URL): check the path, or create it with `passerelle migrate`"
        )


@lru_cache(maxsize=1)
def head_revision() -> str:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


async def current_revision(db: Database) -> str | None:
    """The revision the database was migrated to, or None when it never was."""
    async with db.reader.connect() as connection:
        try:
            return await connection.scalar(text("SELECT version_num FROM alembic_version"))
        except (OperationalError, ProgrammingError):  # no alembic_version table
            return None


async def revision_state(db: Database) -> str:
    """ "ok", or what is wrong, in a few words an operator can act on."""
    try:
        current = await current_revision(db)
    except (DBAPIError, OSError) as error:
        return f"unreachable ({type(error).__name__})"
    if current is None:
        return "not migrated: run `passerelle migrate`"
    if current != head_revision():
        return f"at revision {current}, the code needs {head_revision()}: run `passerelle migrate`"
    return "ok"


async def require_head(db: Database) -> None:
    require_existing_file(db.url)
    state = await revision_state(db)
    if state != "ok":
        raise DatabaseNotReady(f"the database is {state}")
