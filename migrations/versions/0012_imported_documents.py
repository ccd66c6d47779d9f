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


def downgrade() -> None:
    with op.batch_alter_table("recommendation") as batch:
        batch.drop_constraint(batch.f("fk_recommendation_source_document_id_source_document"), type_="foreignkey")
        batch.drop_index(batch.f("ix_recommendation_source_document_id"))
        batch.drop_column("source_heading")
        batch.drop_column("source_item")
        batch.drop_column("source_document_id")
    op.drop_index(op.f("ix_source_document_cycle_id"), table_name="source_document")
    op.drop_table("source_document")
