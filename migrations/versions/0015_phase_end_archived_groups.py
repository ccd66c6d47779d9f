"""A cycle's current phase may have a planned end (for the vote: its closing date), and a working group
may be archived once its work is done.

Revision ID: 0015
Revises: 0012
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cycle") as batch:
        batch.add_column(sa.Column("phase_ends_on", sa.Date(), nullable=True))
    with op.batch_alter_table("working_group") as batch:
        batch.add_column(sa.Column("archived_at", DateTimeUTC(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("working_group") as batch:
        batch.drop_column("archived_at")
    with op.batch_alter_table("cycle") as batch:
        batch.drop_column("phase_ends_on")
