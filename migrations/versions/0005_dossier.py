"""The consolidated dossier: the facilitators' draft (order, introductions), published versions, exports.

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import GUID, DateTimeUTC  # noqa: F401
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dossier",
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("cycle_id", GUID(length=16), nullable=False),
        sa.Column("introduction_fr", sa.Text(), nullable=False),
        sa.Column("introduction_nl", sa.Text(), nullable=False),
        sa.Column("axis_introductions", sa.JSON(), nullable=False),
        sa.Column("order", sa.JSON(), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["cycle_id"], ["cycle.id"], name=op.f("fk_dossier_cycle_id_cycle"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossier")),
        sa.UniqueConstraint("cycle_id", name=op.f("uq_dossier_cycle_id")),
    )
    op.create_table(
        "dossier_version",
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("cycle_id", GUID(length=16), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("published_by_id", GUID(length=16), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cycle_id"], ["cycle.id"], name=op.f("fk_dossier_version_cycle_id_cycle"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["published_by_id"],
            ["user_account.id"],
            name=op.f("fk_dossier_version_published_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossier_version")),
        sa.UniqueConstraint("cycle_id", "number", name=op.f("uq_dossier_version_cycle_id")),
    )
    with op.batch_alter_table("dossier_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dossier_version_cycle_id"), ["cycle_id"], unique=False)

    op.create_table(
        "dossier_export",
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("cycle_id", GUID(length=16), nullable=False),
        sa.Column("version_id", GUID(length=16), nullable=True),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column(
            "status",
            sa.Enum("pending", "running", "done", "failed", name="exportstatus", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("requested_by_id", GUID(length=16), nullable=True),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cycle_id"], ["cycle.id"], name=op.f("fk_dossier_export_cycle_id_cycle"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["user_account.id"],
            name=op.f("fk_dossier_export_requested_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["dossier_version.id"],
            name=op.f("fk_dossier_export_version_id_dossier_version"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossier_export")),
    )
    with op.batch_alter_table("dossier_export", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dossier_export_cycle_id"), ["cycle_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_dossier_export_version_id"), ["version_id"], unique=False)



def downgrade() -> None:
    with op.batch_alter_table("dossier_export", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dossier_export_version_id"))
        batch_op.drop_index(batch_op.f("ix_dossier_export_cycle_id"))

    op.drop_table("dossier_export")
    with op.batch_alter_table("dossier_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dossier_version_cycle_id"))

    op.drop_table("dossier_version")
    op.drop_table("dossier")
