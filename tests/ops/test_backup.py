"""`passerelle backup` while the database is being written, and `passerelle restore` of that file: a
consistent copy, refused over a database that holds data unless forced."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.factories import make_user
from tests.pg import PostgresServer, unique_database_name
from tests.processes import base_environment, passerelle
from workspace.accounts.models import User
from workspace.core.db import Database


async def _people(db: Database) -> set[str]:
    async with db.session(write=False) as session:
        return set((await session.scalars(select(User.email))).all())


async def _write_while(db: Database, running: asyncio.Future[object]) -> int:
    """Sign people up one after the other until `running` is done; how many were written."""
    written = 0
    while not running.done():
        await make_user(db, email=f"participant{written}@reseau.example")
        written += 1
    return written


@pytest.fixture
def restored_url(request: pytest.FixtureRequest, database_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    """An empty database of the same kind to restore into."""
    if database_url.startswith("sqlite"):
        yield f"sqlite+aiosqlite:///{tmp_path / 'restored' / 'passerelle.sqlite3'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = unique_database_name("restored")
    yield server.create_database(name)
    server.drop_database(name)


async def test_a_backup_taken_while_people_sign_up_restores_to_a_consistent_database(
    database_url, db, restored_url, tmp_path
):
    await make_user(db, email="before.backup@reseau.example")
    target = tmp_path / "backups" / "passerelle.backup"
    backing_up = asyncio.ensure_future(
        asyncio.to_thread(passerelle, base_environment(database_url), "backup", str(target))
    )
    written = await _write_while(db, backing_up)
    result = await backing_up
    assert result.returncode == 0, result.stderr
    assert written > 0
    after = await make_user(db, email="after.backup@reseau.example")

    restoring = await asyncio.to_thread(passerelle, base_environment(restored_url), "restore", str(target))
    assert restoring.returncode == 0, restoring.stderr
    restored = Database(restored_url)
    try:
        people = await _people(restored)
        assert "before.backup@reseau.example" in people
        assert after.email not in people
        copied = sorted(
            int(email.removeprefix("participant").split("@")[0]) for email in people if email.startswith("participant")
        )
        assert copied == list(range(len(copied)))  # a snapshot: every sign-up before it, none after a gap
        async with restored.session(write=False) as session:
            assert await session.scalar(select(func.count()).select_from(User)) == len(people)
    finally:
        await restored.dispose()


async def test_restoring_over_a_database_that_holds_data_needs_force(database_url, db, tmp_path):
    target = tmp_path / "passerelle.backup"
    await make_user(db, email="kept@reseau.example")
    assert (await asyncio.to_thread(passerelle, base_environment(database_url), "backup", str(target))).returncode == 0
    await make_user(db, email="made.later@reseau.example")

    refused = await asyncio.to_thread(passerelle, base_environment(database_url), "restore", str(target))
    assert refused.returncode != 0
    assert "Add --force" in refused.stderr
    assert "made.later@reseau.example" in await _people(db)

    await db.dispose()
    forced = await asyncio.to_thread(passerelle, base_environment(database_url), "restore", str(target), "--force")
    assert forced.returncode == 0, forced.stderr
    people = await _people(db)
    assert "kept@reseau.example" in people
    assert "made.later@reseau.example" not in people


async def test_a_backup_never_overwrites_a_file(database_url, tmp_path):
    target = tmp_path / "taken.backup"
    target.write_bytes(b"an earlier backup")
    result = await asyncio.to_thread(passerelle, base_environment(database_url), "backup", str(target))
    assert result.returncode != 0
    assert "exists already" in result.stderr
    assert target.read_bytes() == b"an earlier backup"
