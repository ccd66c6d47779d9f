"""Authorities answer the recommendations addressed to them, and report on what they did."""

from __future__ import annotations

import enum
from datetime import date
from uuid import UUID

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workspace.core.models import Base, enum_column


class Position(enum.StrEnum):
    AGREES = "agrees"
    WILL_STUDY = "will_study"
    PARTLY = "partly"
    DISAGREES = "disagrees"


class Implementation(enum.StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    ABANDONED = "abandoned"


class AuthorityAnswer(Base):
    __tablename__ = "authority_answer"
    __table_args__ = (UniqueConstraint("recommendation_id", "institution"),)

    recommendation_id: Mapped[UUID] = mapped_column(ForeignKey("recommendation.id", ondelete="CASCADE"), index=True)
    institution: Mapped[str] = mapped_column(String(200))
    reviewer_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    position: Mapped[Position] = enum_column(Position)
    commitment: Mapped[str] = mapped_column(Text, default="")
    responsible_service: Mapped[str] = mapped_column(String(200), default="")
    deadline: Mapped[date | None] = mapped_column(Date)
    implementation: Mapped[Implementation] = enum_column(Implementation, default=Implementation.NOT_STARTED)
