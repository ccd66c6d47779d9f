"""Privacy and hardening: OpenID Connect identities, login lockout, sign out everywhere, deleted accounts.

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import GUID, DateTimeUTC
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("locked_until", DateTimeUTC(timezone=True), nullable=True))
        batch.add_column(sa.Column("session_epoch", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("deleted_at", DateTimeUTC(timezone=True), nullable=True))
    op.create_table(
        "oidc_identity",
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("provider", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("user_id", GUID(length=16), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_oidc_identity_user_id_user_account"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oidc_identity")),
        sa.UniqueConstraint("provider", "subject", name=op.f("uq_oidc_identity_provider")),
    )
    with op.batch_alter_table("oidc_identity") as batch:
        batch.create_index(batch.f("ix_oidc_identity_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("oidc_identity") as batch:
        batch.drop_index(batch.f("ix_oidc_identity_user_id"))
    op.drop_table("oidc_identity")
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("deleted_at")
        batch.drop_column("session_epoch")
        batch.drop_column("locked_until")
        batch.drop_column("failed_logins")
