"""Database fixtures, imported by tests/conftest.py with ``from tests.db_fixtures import *``.

``postgres_server`` starts one throwaway PostgreSQL server per test session (per xdist worker) and
stops it at the end; see tests/pg.py for what it offers (``url``, ``create_database``...). When the
PostgreSQL binaries are missing the tests that need it fail with the reason: they are never skipped.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.pg import PostgresNotFoundError, PostgresServer

__all__ = ["postgres_server"]


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    try:
        server = PostgresServer()
    except PostgresNotFoundError as exc:
        missing = str(exc)
    else:
        missing = ""
    if missing:
        pytest.fail(missing, pytrace=False)
    server.start()
    try:
        yield server
    finally:
        server.stop()
