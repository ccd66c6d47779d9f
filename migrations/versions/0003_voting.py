"""Voting: the voter's side and kind of actor kept on each ballot; the colloquium's current recommendation.

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import GUID
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ballot") as batch:
        batch.add_column(
            sa.Column("side", sa.Enum("fr", "wal", "vl", name="side", native_enum=False, length=32), nullable=True)
        )
        batch.add_column(
            sa.Column(
                "actor_kind",
                sa.Enum(
                    "social_worker",
                    "specialist",
                    "trainer",
                    "authority",
                    "association",
                    name="actorkind",
                    native_enum=False,
                    length=32,
                ),
                nullable=True,
            )
        )
    with op.batch_alter_table("cycle") as batch:
        batch.add_column(sa.Column("colloquium_recommendation_id", GUID(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cycle") as batch:
        batch.drop_column("colloquium_recommendation_id")
    with op.batch_alter_table("ballot") as batch:
        batch.drop_column("actor_kind")
        batch.drop_column("side")
