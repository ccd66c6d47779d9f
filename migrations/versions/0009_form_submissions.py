"""Forms that make something carry a one-time token: the tokens already used, and where their result is.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import GUID, DateTimeUTC
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "form_submission",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", GUID(length=16), nullable=True),
        sa.Column("location", sa.String(length=500), nullable=False),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_form_submission_user_id_user_account"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_form_submission")),
    )
    with op.batch_alter_table("form_submission") as batch:
        batch.create_index(batch.f("ix_form_submission_created_at"), ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("form_submission") as batch:
        batch.drop_index(batch.f("ix_form_submission_created_at"))
    op.drop_table("form_submission")
