"""Full-text search over recommendations; personal-data confirmations.

SQLite: an FTS5 table kept in step by triggers. PostgreSQL: a GIN index on the same text.

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BODY_COLUMNS = (
    "finding",
    "proposal",
    "institutions",
    "expected_effect",
    "scheme_fr",
    "scheme_wal",
    "scheme_vl",
    "harmonisation",
)


def _sqlite_body(prefix: str) -> str:
    return " || ' ' || ".join(f"coalesce({prefix}.{column}, '')" for column in BODY_COLUMNS)


def _postgres_document() -> str:
    parts = " || ' ' || ".join(f"coalesce({column}, '')" for column in ("title", *BODY_COLUMNS))
    return f"to_tsvector('simple'::regconfig, {parts})"


def upgrade() -> None:
    with op.batch_alter_table("recommendation") as batch:
        batch.add_column(sa.Column("privacy_confirmations", sa.JSON(), nullable=False, server_default="[]"))
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE search_recommendation USING fts5("
            "recommendation_id UNINDEXED, title, body, tokenize = 'unicode61 remove_diacritics 2')"
        )
        insert = (
            "INSERT INTO search_recommendation (recommendation_id, title, body) "
            f"VALUES (new.id, new.title, {_sqlite_body('new')});"
        )
        op.execute(f"CREATE TRIGGER search_recommendation_insert AFTER INSERT ON recommendation BEGIN {insert} END")
        op.execute(
            "CREATE TRIGGER search_recommendation_update AFTER UPDATE ON recommendation BEGIN "
            f"DELETE FROM search_recommendation WHERE recommendation_id = old.id; {insert} END"
        )
        op.execute(
            "CREATE TRIGGER search_recommendation_delete AFTER DELETE ON recommendation BEGIN "
            "DELETE FROM search_recommendation WHERE recommendation_id = old.id; END"
        )
        op.execute(
            "INSERT INTO search_recommendation (recommendation_id, title, body) "
            f"SELECT r.id, r.title, {_sqlite_body('r')} FROM recommendation AS r"
        )
    else:
        op.execute(f"CREATE INDEX search_recommendation_document ON recommendation USING gin ({_postgres_document()})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS search_recommendation_{trigger}")
        op.execute("DROP TABLE IF EXISTS search_recommendation")
    else:
        op.execute("DROP INDEX IF EXISTS search_recommendation_document")
    with op.batch_alter_table("recommendation") as batch:
        batch.drop_column("privacy_confirmations")
