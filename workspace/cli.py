"""Command line: migrate, load the demo, create an admin, serve."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys

from workspace.settings import PROJECT_ROOT, UnsafeSettingsError, get_settings


def migrate() -> None:
    from alembic import command
    from alembic.config import Config

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    command.upgrade(config, "head")


def demo() -> None:
    from workspace.core.db import Database
    from workspace.demo import DEMO_PASSWORD, DEMO_SIGN_INS, load_demo

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


def serve(host: str, port: int) -> None:
    import uvicorn

    print(f"\nPasserelle is running at http://{host}:{port}/  (Ctrl+C to stop)\n", flush=True)
    uvicorn.run(
        "workspace.app:create_app",
        factory=True,
        host=host,
        port=port,
        proxy_headers=False,  # the app reads X-Forwarded-For itself, from TRUSTED_PROXIES only
        log_level="info",
        timeout_graceful_shutdown=SHUTDOWN_GRACE_SECONDS,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="passerelle")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="bring the database to the latest schema")
    commands.add_parser("demo", help="load the demo workspace (once) and print the demo sign-ins")
    admin = commands.add_parser("create-admin", help="create or promote an admin")
    admin.add_argument("email")
    admin.add_argument("name")
    run = commands.add_parser("serve", help="run the web server")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    try:
        get_settings()
    except UnsafeSettingsError as refused:
        sys.exit(f"passerelle: refusing to start: {refused}")
    if args.command == "migrate":
        migrate()
    elif args.command == "demo":
        demo()
    elif args.command == "create-admin":
        create_admin(args.email, args.name)
    else:
        serve(args.host, args.port)


if __name__ == "__main__":
    main()
