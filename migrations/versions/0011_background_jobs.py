"""Background jobs: the embedded queue's table (SQLite), procrastinate's schema (PostgreSQL); invitations
remember their language and whether their e-mail left.

procrastinate's schema is the one of the pinned version (procrastinate 3.10, see pyproject.toml): moving to
a later version needs a migration that applies the library's own upgrade scripts (its sql/migrations).

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PROCRASTINATE_TABLES = (
    "procrastinate_events",
    "procrastinate_periodic_defers",
    "procrastinate_jobs",
    "procrastinate_workers",
)
PROCRASTINATE_TYPES = ("procrastinate_job_to_defer_v1", "procrastinate_job_event_type", "procrastinate_job_status")


def _run_script(sql: str) -> None:
    """Several statements at once (function bodies with semicolons included), in the migration's
    transaction: through the driver's simple query protocol, which a prepared statement is not."""
    from sqlalchemy.util import await_only

    await_only(op.get_bind().connection.driver_connection.execute(sql))


def upgrade() -> None:
    op.create_table(
        "background_job",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("task", sa.String(length=50), nullable=False),
        sa.Column("args", sa.JSON(), nullable=False),
        sa.Column("status", sa.Enum("waiting", "running", "done", "failed", name="jobstatus", native_enum=False,
                                    create_constraint=False, length=32), nullable=False),  # fmt: skip
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("run_after", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("finished_at", DateTimeUTC(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_background_job")),
    )
    op.create_index("ix_background_job_due", "background_job", ["status", "run_after"], unique=False)
    with op.batch_alter_table("invitation") as batch:
        batch.add_column(sa.Column("language", sa.String(length=2), nullable=False, server_default="fr"))
        batch.add_column(sa.Column("mail_status", sa.String(length=12), nullable=False, server_default=""))
    if op.get_bind().dialect.name == "postgresql":
        from procrastinate.schema import SchemaManager

        _run_script(SchemaManager.get_schema())


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TABLE IF EXISTS {', '.join(PROCRASTINATE_TABLES)} CASCADE")
        _run_script(
            """
            DO $$
            DECLARE routine record;
            BEGIN
              FOR routine IN SELECT oid::regprocedure AS signature FROM pg_proc
                             WHERE proname LIKE 'procrastinate\\_%' LOOP
                EXECUTE 'DROP FUNCTION IF EXISTS ' || routine.signature || ' CASCADE';
              END LOOP;
            END $$;
            """
        )
        op.execute(f"DROP TYPE IF EXISTS {', '.join(PROCRASTINATE_TYPES)} CASCADE")
    with op.batch_alter_table("invitation") as batch:
        batch.drop_column("mail_status")
        batch.drop_column("language")
    op.drop_index("ix_background_job_due", table_name="background_job")
    op.drop_table("background_job")
