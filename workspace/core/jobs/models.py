"""The embedded queue's jobs (SQLite, one machine); on PostgreSQL the job library keeps its own tables."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import JSON, BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from workspace.core.models import KeyedBase, enum_column


class JobStatus(enum.StrEnum):
    WAITING = "waiting"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class BackgroundJob(KeyedBase):
    """One job to run: a task's name and its arguments, when it may run next, how often it was tried."""

    __tablename__ = "background_job"
    __table_args__ = (Index("ix_background_job_due", "status", "run_after"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    task: Mapped[str] = mapped_column(String(50))
    args: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[JobStatus] = enum_column(JobStatus, default=JobStatus.WAITING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    """Tries started so far."""
    run_after: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
