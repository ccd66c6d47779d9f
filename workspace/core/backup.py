"""`passerelle backup FILE` and `passerelle restore FILE`, while the app serves.

SQLite: SQLite's online backup API copies the database as one consistent snapshot while the app goes on
reading and writing (in WAL mode writers do not wait for it); the copy is checked (`PRAGMA
integrity_check`) before it is called a backup. PostgreSQL: `pg_dump --format=custom` (one consistent
snapshot too), restored by `pg_restore` in a single transaction.

Restoring over a database that holds a schema (a live one) is refused without `force`: the restore replaces
everything in it. SQLite restores through the same backup API, so processes that have the file open see the
restored content afterwards (stop them first all the same: their sessions and caches predate it).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from workspace.core.schema import sqlite_file

BUSY_TIMEOUT_MS = 10_000


class BackupError(RuntimeError):
    """The backup or restore could not be made; the message says why and what to do."""


def _sqlite_connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path)
    connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    return connection


def _check_sqlite(path: Path) -> None:
    try:
        connection = _sqlite_connect(path)
        try:
            result = connection.execute("PRAGMA integrity_check").fetchone()
            revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a Passerelle database: {error}") from error
    if result is None or result[0] != "ok":
        raise BackupError(f"{path} failed SQLite's integrity check: {result}")
    if revision is None:
        raise BackupError(f"{path} is not a Passerelle database (it was never migrated)")


def _sqlite_copy(source: Path, target: Path) -> None:
    reading = _sqlite_connect(source)
    try:
        writing = _sqlite_connect(target)
        try:
            reading.backup(writing)
        finally:
            writing.close()
    finally:
        reading.close()


def _sqlite_has_schema(path: Path) -> bool:
    if not path.is_file() or path.stat().st_size == 0:
        return False
    connection = _sqlite_connect(path)
    try:
        return connection.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0] > 0
    finally:
        connection.close()


def _postgres(url: str) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for the PostgreSQL tools, the password in the environment (not the command line)."""
    parsed: URL = make_url(url)
    arguments = ["--dbname", parsed.database or "postgres"]
    if parsed.host:
        arguments += ["--host", parsed.host]
    if parsed.port:
        arguments += ["--port", str(parsed.port)]
    if parsed.username:
        arguments += ["--username", parsed.username]
    environment = {**os.environ}
    if parsed.password:
        environment["PGPASSWORD"] = str(parsed.password)
    return arguments, environment


def _tool(name: str) -> str:
    found = shutil.which(name) or next(
        (str(path) for path in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)), None
    )
    if found is None:
        raise BackupError(f"{name} is missing: install PostgreSQL's client tools (apt-get install postgresql-client)")
    return found


def _run(command: list[str], environment: dict[str, str]) -> None:
    result = subprocess.run(
        command, env=environment, capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL
    )
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip() or result.stdout.strip()}")


def _postgres_has_schema(url: str) -> bool:
    arguments, environment = _postgres(url)
    command = [_tool("psql"), *arguments, "--no-psqlrc", "--tuples-only", "--no-align", "--command",
               "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"]  # fmt: skip
    result = subprocess.run(
        command, env=environment, capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL
    )
    if result.returncode != 0:
        raise BackupError(f"cannot read the database: {result.stderr.strip()}")
    return int(result.stdout.strip() or 0) > 0


def backup(database_url: str, target: Path) -> None:
    """Write a consistent copy of the database to `target` (a new file)."""
    if target.exists():
        raise BackupError(f"{target} exists already: choose a new file name")
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite_file(database_url)
    if source is not None:
        if not source.is_file():
            raise BackupError(f"there is no database at {source}")
        partial = target.with_name(target.name + ".partial")
        try:
            _sqlite_copy(source, partial)
            _check_sqlite(partial)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        partial.rename(target)
        return
    arguments, environment = _postgres(database_url)
    _run([_tool("pg_dump"), *arguments, "--format=custom", "--no-owner", "--file", str(target)], environment)


def restore(database_url: str, source: Path, *, force: bool = False) -> None:
    """Replace the database with the backup `source`; refused over a database with a schema unless `force`."""
    if not source.is_file():
        raise BackupError(f"there is no backup at {source}")
    target = sqlite_file(database_url)
    if target is not None:
        _check_sqlite(source)
        if _sqlite_has_schema(target) and not force:
            raise BackupError(f"{target} holds a database: restoring replaces it. Add --force to do so")
        target.parent.mkdir(parents=True, exist_ok=True)
        _sqlite_copy(source, target)
        return
    if _postgres_has_schema(database_url) and not force:
        raise BackupError("the database holds a schema: restoring replaces it. Add --force to do so")
    arguments, environment = _postgres(database_url)
    _run([_tool("pg_restore"), *arguments, "--clean", "--if-exists", "--no-owner", "--single-transaction",
          "--exit-on-error", str(source)], environment)  # fmt: skip
