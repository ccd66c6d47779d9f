"""Command line: migrate, back up and restore, load the demo, create an admin, serve, run jobs."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from datetime import UTC, datetime
from pathlib import Path

from workspace.settings import PROJECT_ROOT, UnsafeSettingsError, get_settings


def _revision_now(url: str) -> str | None:
    from workspace.core.db import Database
    from workspace.core.schema import current_revision, sqlite_file

    path = sqlite_file(url)
    if path is not None and not path.is_file():
        return None

    async def _read() -> str | None:
        db = Database(url)
        try:
            return await current_revision(db)
        finally:
            await db.dispose()

    return asyncio.run(_read())


def _default_backup_path(url: str, revision: str) -> Path:
    from workspace.core.schema import sqlite_file

    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    suffix = ".sqlite3" if sqlite_file(url) is not None else ".dump"
    return PROJECT_ROOT / "var" / "backups" / f"before-migration-{revision}-{stamp}{suffix}"


def migrate(backup_to: Path | None = None, *, ask: bool = True) -> None:
    """Bring the database to the latest schema. When there is something to migrate in a database that holds
    data, a backup is taken first to `backup_to`, or, at a terminal, after asking."""
    from alembic import command
    from alembic.config import Config

    from workspace.core.schema import head_revision

    url = get_settings().database_url
    current = _revision_now(url)
    if current is not None and current != head_revision():
        if backup_to is None and ask and sys.stdin.isatty():
            proposed = _default_backup_path(url, current)
            answer = input(f"Back up the database to {proposed} before migrating? [Y/n] ").strip().lower()
            if answer in ("", "y", "yes", "o", "oui", "j", "ja"):
                backup_to = proposed
        if backup_to is not None:
            backup(backup_to)
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    command.upgrade(config, "head")


def backup(target: Path) -> None:
    from workspace.core import backup as backups

    try:
        backups.backup(get_settings().database_url, target)
    except backups.BackupError as error:
        sys.exit(f"passerelle: no backup made: {error}")
    print(f"Backup written to {target}")


def restore(source: Path, *, force: bool) -> None:
    from workspace.core import backup as backups

    try:
        backups.restore(get_settings().database_url, source, force=force)
    except backups.BackupError as error:
        sys.exit(f"passerelle: nothing restored: {error}")
    print(f"Restored {source}")


def demo() -> None:
    from workspace.core.db import Database
    from workspace.demo import DEMO_PASSWORD, DEMO_SIGN_INS, load_demo

    if get_settings().is_production:
        sys.exit(
            "passerelle: the demo is not loaded in production: its accounts share a password printed in the README"
        )

    async def _run() -> None:
        db = Database(get_settings().database_url)
        try:
            await load_demo(db)
        finally:
            await db.dispose()

    asyncio.run(_run())
    print(f"\nDemo sign-ins (password for all: {DEMO_PASSWORD}):")
    for role, email in DEMO_SIGN_INS:
        print(f"  {role:<26} {email}")


def create_admin(email: str, name: str) -> None:
    from sqlalchemy import select

    from workspace.accounts.models import User
    from workspace.accounts.services import normalise_email
    from workspace.core.db import Database
    from workspace.core.passwords import hash_password_sync

    password = getpass.getpass("Password for the new admin: ")
    if len(password) < 10:
        sys.exit("The password must have at least 10 characters.")

    async def _run() -> None:
        db = Database(get_settings().database_url)
        try:
            async with db.transaction() as session:
                address = normalise_email(email)
                user = await session.scalar(select(User).where(User.email == address))
                if user is None:
                    user = User(email=address, display_name=name)
                    session.add(user)
                user.password_hash = hash_password_sync(password)
                user.is_admin = True
        finally:
            await db.dispose()

    asyncio.run(_run())
    print(f"{email} is an admin.")


SHUTDOWN_GRACE_SECONDS = 3
"""Live pages keep their event streams open: on shutdown they get this long, then are closed."""


def _require_database() -> None:
    from workspace.core.db import Database
    from workspace.core.schema import DatabaseNotReady, require_head

    async def _check() -> None:
        db = Database(get_settings().database_url)
        try:
            await require_head(db)
        finally:
            await db.dispose()

    try:
        asyncio.run(_check())
    except DatabaseNotReady as refused:
        sys.exit(f"passerelle: refusing to start: {refused}")


def serve(host: str, port: int) -> None:
    import uvicorn

    from workspace.core.schema import DatabaseNotReady, require_existing_file

    settings = get_settings()
    try:
        require_existing_file(settings.database_url)
    except DatabaseNotReady as refused:
        sys.exit(f"passerelle: refusing to start: {refused}")
    _require_database()
    print(f"\nPasserelle is running at http://{host}:{port}/  (Ctrl+C to stop)\n", flush=True)
    uvicorn.run(
        "workspace.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=settings.workers,
        proxy_headers=False,  # the app reads X-Forwarded-For itself, from TRUSTED_PROXIES only
        log_level="info",
        access_log=False,  # the app writes one line per request itself (core/observe.py)
        timeout_graceful_shutdown=SHUTDOWN_GRACE_SECONDS,
    )


def worker() -> None:
    """Run background jobs only, in this process (beside web processes started with RUN_JOBS=off)."""
    import dataclasses
    import signal

    from workspace.app import create_app

    _require_database()
    app = create_app(dataclasses.replace(get_settings(), run_jobs=True))

    async def _run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        async with app.lifespan():
            print("Passerelle is running background jobs (Ctrl+C to stop)", flush=True)
            await stop.wait()

    asyncio.run(_run())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="passerelle")
    commands = parser.add_subparsers(dest="command", required=True)
    migration = commands.add_parser("migrate", help="bring the database to the latest schema")
    migration.add_argument("--backup", type=Path, metavar="FILE", help="back the database up to FILE first")
    migration.add_argument("--no-backup", action="store_true", help="do not offer to back the database up first")
    backing_up = commands.add_parser("backup", help="write a consistent copy of the database, while it serves")
    backing_up.add_argument("file", type=Path)
    restoring = commands.add_parser("restore", help="replace the database with a backup")
    restoring.add_argument("file", type=Path)
    restoring.add_argument("--force", action="store_true", help="replace a database that holds data")
    commands.add_parser("demo", help="load the demo workspace (once) and print the demo sign-ins")
    admin = commands.add_parser("create-admin", help="create or promote an admin")
    admin.add_argument("email")
    admin.add_argument("name")
    run = commands.add_parser("serve", help="run the web server")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8000)
    commands.add_parser("worker", help="run background jobs (exports, mail, clean-up) without serving pages")
    args = parser.parse_args(argv)
    try:
        get_settings()
    except UnsafeSettingsError as refused:
        sys.exit(f"passerelle: refusing to start: {refused}")
    if args.command == "migrate":
        migrate(args.backup, ask=not args.no_backup)
    elif args.command == "backup":
        backup(args.file)
    elif args.command == "restore":
        restore(args.file, force=args.force)
    elif args.command == "worker":
        worker()
    elif args.command == "demo":
        demo()
    elif args.command == "create-admin":
        create_admin(args.email, args.name)
    else:
        serve(args.host, args.port)


if __name__ == "__main__":
    main()
