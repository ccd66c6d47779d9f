"""Imported documents: a past dossier or a working group's notes, split into draft recommendations that
remember the document and the item they came from.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import GUID, DateTimeUTC
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_BODY_COLUMNS = (
    "finding",
    "proposal",
    "institutions",
    "expected_effect",
    "scheme_fr",
    "scheme_wal",
    "scheme_vl",
    "harmonisation",
)


def _restore_search_triggers() -> None:
    """SQLite's batch mode rebuilds the recommendation table, which drops the triggers of migration 0002 that
    keep the full-text table in step: put them back as they were, and re-read every recommendation."""
    if op.get_bind().dialect.name != "sqlite":
        return
    body = " || ' ' || ".join(f"coalesce(new.{column}, '')" for column in _BODY_COLUMNS)
    insert = f"INSERT INTO search_recommendation (recommendation_id, title, body) VALUES (new.id, new.title, {body});"
    for trigger in ("insert", "update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS search_recommendation_{trigger}")
    op.execute(f"CREATE TRIGGER search_recommendation_insert AFTER INSERT ON recommendation BEGIN {insert} END")
    op.execute(
        "CREATE TRIGGER search_recommendation_update AFTER UPDATE ON recommendation BEGIN "
        f"DELETE FROM search_recommendation WHERE recommendation_id = old.id; {insert} END"
    )
    op.execute(
        "CREATE TRIGGER search_recommendation_delete AFTER DELETE ON recommendation BEGIN "
        "DELETE FROM search_recommendation WHERE recommendation_id = old.id; END"
    )
    op.execute("DELETE FROM search_recommendation")
    op.execute(
        "INSERT INTO search_recommendation (recommendation_id, title, body) "
        f"SELECT r.id, r.title, {body.replace('new.', 'r.')} FROM recommendation AS r"
    )


def upgrade() -> None:
    op.create_table(
        "source_document",
        sa.Column("cycle_id", GUID(length=16), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("format", sa.String(length=32), nullable=False),
        sa.Column("uploaded_by_id", GUID(length=16), nullable=True),
        sa.Column("proposal", sa.JSON(), nullable=False),
        sa.Column("imported_at", DateTimeUTC(timezone=True), nullable=True),
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cycle_id"], ["cycle.id"], name=op.f("fk_source_document_cycle_id_cycle"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["user_account.id"],
            name=op.f("fk_source_document_uploaded_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source_document")),
    )
    op.create_index(op.f("ix_source_document_cycle_id"), "source_document", ["cycle_id"], unique=False)
    with op.batch_alter_table("recommendation") as batch:
        batch.add_column(sa.Column("source_document_id", GUID(length=16), nullable=True))
        batch.add_column(sa.Column("source_item", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("source_heading", sa.String(length=200), nullable=True))
        batch.create_index(batch.f("ix_recommendation_source_document_id"), ["source_document_id"], unique=False)
        batch.create_foreign_key(
            batch.f("fk_recommendation_source_document_id_source_document"),
            "source_document",
            ["source_document_id"],
            ["id"],
            ondelete="SET NULL",
        )
    _restore_search_triggers()


def downgrade() -> None:
    with op.batch_alter_table("recommendation") as batch:
        batch.drop_constraint(batch.f("fk_recommendation_source_document_id_source_document"), type_="foreignkey")
        batch.drop_index(batch.f("ix_recommendation_source_document_id"))
        batch.drop_column("source_heading")
        batch.drop_column("source_item")
        batch.drop_column("source_document_id")
    _restore_search_triggers()
    op.drop_index(op.f("ix_source_document_cycle_id"), table_name="source_document")
    op.drop_table("source_document")
