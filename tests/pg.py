"""A throwaway PostgreSQL server for the test suite.

Usage::

    server = PostgresServer()          # raises PostgresNotFoundError without the binaries
    server.start()                     # initdb + pg_ctl start, about a second
    url = server.create_database("shop", template=None)   # postgresql+asyncpg://postgres@127.0.0.1:PORT/shop
    ...
    server.stop()                      # pg_ctl stop -m immediate, data directory removed

or ``with PostgresServer() as server: ...``.

The server listens on 127.0.0.1 only, on a free port, with its unix socket inside its own temporary
directory, trust authentication for the ``postgres`` superuser and durability turned off (fsync,
full_page_writes, synchronous_commit) for speed. Every instance has its own port and directory, so
pytest-xdist workers can each start one. PostgreSQL refuses to run as root: when the tests run as
root, initdb and pg_ctl run as the ``postgres`` system user through ``runuser``.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from types import TracebackType

PREFERRED_MAJOR = 15
BIN_GLOB_ROOT = Path("/usr/lib/postgresql")
SYSTEM_USER = "postgres"
SUPERUSER = "postgres"
START_ATTEMPTS = 5

SERVER_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "full_page_writes": "off",
    "synchronous_commit": "off",
    "shared_buffers": "32MB",
    "max_connections": "200",
    "log_min_messages": "warning",
    "timezone": "'UTC'",
}


class PostgresNotFoundError(RuntimeError):
    """No PostgreSQL server binaries (initdb, pg_ctl) on this machine."""


class PostgresStartError(RuntimeError):
    """The server did not start; the message ends with its log."""


def find_bin_dir(preferred_major: int = PREFERRED_MAJOR) -> Path:
    """The bin directory of the PostgreSQL server: ``PG_BINDIR`` if set, else /usr/lib/postgresql/*/bin.

    Version ``preferred_major`` wins when installed, otherwise the newest one found.
    """
    candidates: list[Path] = []
    where = f"{BIN_GLOB_ROOT}/*/bin"
    if os.environ.get("PG_BINDIR"):
        where = os.environ["PG_BINDIR"]
        candidates.append(Path(where))
    else:
        found = [path for path in BIN_GLOB_ROOT.glob("*/bin") if path.parent.name.isdigit()]
        found.sort(key=lambda path: (int(path.parent.name) != preferred_major, -int(path.parent.name)))
        candidates.extend(found)
    for candidate in candidates:
        if all((candidate / tool).is_file() for tool in ("initdb", "pg_ctl", "psql", "pg_isready")):
            return candidate
    raise PostgresNotFoundError(
        "PostgreSQL server binaries not found "
        f"(looked for initdb, pg_ctl, psql and pg_isready in {where}). "
        f"Install them with `apt-get install postgresql-{preferred_major}` (or `postgresql`), "
        "or point PG_BINDIR at a PostgreSQL bin directory."
    )


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (start() retries if another process takes it first)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def unique_database_name(prefix: str = "test") -> str:
    """A database name no other test will pick: ``<prefix>_<12 hex digits>``."""
    prefix = re.sub(r"[^a-z0-9_]", "_", prefix.lower())[:40]
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


class PostgresServer:
    """One private PostgreSQL server: ``start()``, ``url(dbname)``, ``create_database(...)``, ``stop()``."""

    def __init__(self, bin_dir: Path | str | None = None, *, parent_dir: Path | str | None = None) -> None:
        self.bin_dir = Path(bin_dir) if bin_dir is not None else find_bin_dir()
        # Not pytest's tmp_path: it is private to root, and the server may run as `postgres`.
        self.parent_dir = Path(parent_dir) if parent_dir is not None else Path(tempfile.gettempdir())
        self.as_system_user = os.geteuid() == 0
        self.port: int | None = None
        self.base_dir: Path | None = None
        self._running = False

    # -- paths ---------------------------------------------------------------------------------------

    @property
    def data_dir(self) -> Path:
        return self._base() / "data"

    @property
    def socket_dir(self) -> Path:
        return self._base() / "run"

    @property
    def log_file(self) -> Path:
        return self._base() / "server.log"

    def _base(self) -> Path:
        if self.base_dir is None:
            raise RuntimeError("the PostgreSQL server has not been started")
        return self.base_dir

    # -- lifecycle -----------------------------------------------------------------------------------

    def start(self) -> PostgresServer:
        if self._running:
            return self
        self.base_dir = Path(tempfile.mkdtemp(prefix="passerelle-pg-", dir=self.parent_dir))
        atexit.register(self.stop)
        try:
            self.socket_dir.mkdir()
            if self.as_system_user:
                shutil.chown(self.base_dir, user=SYSTEM_USER, group=SYSTEM_USER)
                shutil.chown(self.socket_dir, user=SYSTEM_USER, group=SYSTEM_USER)
            self._initdb()
            self._start_server()
        except BaseException:
            self.stop()
            raise
        return self

    def _initdb(self) -> None:
        self._run_server_tool(
            "initdb",
            "--pgdata",
            str(self.data_dir),
            "--auth=trust",
            "--username",
            SUPERUSER,
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
            "--no-instructions",
        )
        settings = {**SERVER_SETTINGS, "unix_socket_directories": f"'{self.socket_dir}'"}
        with (self.data_dir / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write("\n# Throwaway test server (tests/pg.py)\n")
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())

    def _start_server(self) -> None:
        last_error = ""
        for _attempt in range(START_ATTEMPTS):
            port = free_port()
            result = self._run_server_tool(
                "pg_ctl",
                "start",
                "--pgdata",
                str(self.data_dir),
                "--log",
                str(self.log_file),
                "--wait",
                "--timeout",
                "60",
                "-o",
                f"-p {port}",
                check=False,
            )
            if result.returncode == 0 and self._wait_until_ready(port):
                self.port = port
                self._running = True
                return
            last_error = result.stdout + result.stderr
            # Most likely another process took the port between free_port() and the bind: try again.
            self._pg_ctl_stop()
        raise PostgresStartError(
            f"PostgreSQL did not start after {START_ATTEMPTS} attempts.\n{last_error}\n{self._log_tail()}"
        )

    def _wait_until_ready(self, port: int, timeout: float = 30.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready = subprocess.run(
                [str(self.bin_dir / "pg_isready"), "-h", "127.0.0.1", "-p", str(port), "-U", SUPERUSER, "-t", "2"],
                capture_output=True,
                check=False,
            )
            if ready.returncode == 0:
                return True
            if ready.returncode == 2:  # no response: the server is not (or no longer) running
                status = self._run_server_tool("pg_ctl", "status", "--pgdata", str(self.data_dir), check=False)
                if status.returncode != 0:
                    return False
            time.sleep(0.1)
        return False

    def stop(self) -> None:
        """Stop the server (immediate mode) and remove its directory. Safe to call more than once."""
        with contextlib.suppress(Exception):
            atexit.unregister(self.stop)
        if self.base_dir is None:
            return
        if (self.data_dir / "postmaster.pid").exists():
            self._pg_ctl_stop()
        shutil.rmtree(self.base_dir, ignore_errors=True)
        self.base_dir = None
        self.port = None
        self._running = False

    def _pg_ctl_stop(self) -> None:
        self._run_server_tool(
            "pg_ctl", "stop", "--pgdata", str(self.data_dir), "--mode", "immediate", "--wait", check=False
        )

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._running

    # -- connecting ----------------------------------------------------------------------------------

    def url(self, dbname: str = "postgres") -> str:
        """SQLAlchemy async URL of a database on this server."""
        return f"postgresql+asyncpg://{SUPERUSER}@127.0.0.1:{self._port()}/{dbname}"

    def dsn(self, dbname: str = "postgres") -> str:
        """libpq / asyncpg.connect() URL of a database on this server."""
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self._port()}/{dbname}"

    def _port(self) -> int:
        if self.port is None:
            raise RuntimeError("the PostgreSQL server is not running")
        return self.port

    def psql(self, sql: str, dbname: str = "postgres") -> str:
        """Run SQL with psql (one statement per call outside a transaction); returns its unaligned output."""
        result = subprocess.run(
            [
                str(self.bin_dir / "psql"),
                "--no-psqlrc",
                "--quiet",
                "--tuples-only",
                "--no-align",
                "--set",
                "ON_ERROR_STOP=1",
                "--host",
                "127.0.0.1",
                "--port",
                str(self._port()),
                "--username",
                SUPERUSER,
                "--dbname",
                dbname,
                "--command",
                sql,
            ],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "PGCONNECT_TIMEOUT": "10"},
        )
        if result.returncode != 0:
            raise RuntimeError(f"psql failed ({result.returncode}) running {sql!r}: {result.stderr.strip()}")
        return result.stdout.strip()

    def create_database(self, name: str | None = None, template: str | None = None) -> str:
        """Create a database (a fresh unique name when ``name`` is None); returns its async URL.

        ``template`` copies another database, e.g. one already migrated: much faster than migrating
        again. Nobody may be connected to the template while it is copied.
        """
        name = name or unique_database_name()
        sql = f"CREATE DATABASE {quote_identifier(name)}"
        if template is not None:
            sql += f" TEMPLATE {quote_identifier(template)}"
        self.psql(sql)
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop a database, disconnecting whoever is still connected to it."""
        self.psql(f"DROP DATABASE IF EXISTS {quote_identifier(name)} WITH (FORCE)")

    # -- helpers -------------------------------------------------------------------------------------

    def _run_server_tool(self, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        command = [str(self.bin_dir / tool), *args]
        if self.as_system_user:
            command = ["runuser", "-u", SYSTEM_USER, "--", *command]
        result = subprocess.run(
            command,
            capture_output=True,
            text=True,
            check=False,
            cwd=self._base(),  # the postgres user may not be allowed into the current directory
            stdin=subprocess.DEVNULL,
            env={**os.environ, "LC_ALL": "C", "LANG": "C"},
        )
        if check and result.returncode != 0:
            raise PostgresStartError(
                f"{tool} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}\n{self._log_tail()}"
            )
        return result

    def _log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_file.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no server log)"
        return "server log:\n" + "\n".join(text.splitlines()[-lines:])
