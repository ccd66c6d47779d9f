"""Ballots remember what facilitators decided about a reason the personal-data guard flags; kept exports
with the discussion annex are deleted, since the annex now masks personal data (they are rebuilt on demand).

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ballot") as batch:
        batch.add_column(sa.Column("reason_review", sa.String(length=8), nullable=True))
    op.execute("DELETE FROM dossier_export WHERE discussion != ''")


def downgrade() -> None:
    with op.batch_alter_table("ballot") as batch:
        batch.drop_column("reason_review")
