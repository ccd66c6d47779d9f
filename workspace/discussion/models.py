"""What people say about recommendations, and how facilitators keep it useful."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any
from uuid import UUID

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workspace.accounts.models import User
from workspace.core.models import Base, enum_column


class Comment(Base):
    __tablename__ = "comment"

    recommendation_id: Mapped[UUID] = mapped_column(ForeignKey("recommendation.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    parent_id: Mapped[UUID | None] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"), index=True)
    anchor: Mapped[str | None] = mapped_column(String(60))
    """The part of the text the comment is about ("proposal"), or one of its passages ("proposal~3f2a…",
    see recommendations/passages.py)."""
    anchor_excerpt: Mapped[str] = mapped_column(Text, default="", server_default="")
    """The first words of the passage when the comment was written: shown once the passage has changed."""
    body: Mapped[str] = mapped_column(Text)
    edited_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    deleted_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    hidden_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    hidden_reason: Mapped[str] = mapped_column(Text, default="")
    hidden_by_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    author: Mapped[User | None] = relationship(lazy="raise", foreign_keys=[author_id])


class CommentEdit(Base):
    """The text a comment had before an edit."""

    __tablename__ = "comment_edit"

    comment_id: Mapped[UUID] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)


class ReportStatus(enum.StrEnum):
    OPEN = "open"
    HIDDEN = "hidden"
    DISMISSED = "dismissed"


class Report(Base):
    """A member's report of a comment or recommendation, for facilitators to handle."""

    __tablename__ = "report"

    comment_id: Mapped[UUID | None] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"), index=True)
    recommendation_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("recommendation.id", ondelete="CASCADE"), index=True
    )
    reporter_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[ReportStatus] = enum_column(ReportStatus, default=ReportStatus.OPEN)
    resolved_by_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))


class Notification(Base):
    __tablename__ = "notification"

    user_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    link: Mapped[str] = mapped_column(String(300), default="")
    read_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))


class Follow(Base):
    """Someone who wants to hear about new comments on a recommendation (its authors follow it too)."""

    __tablename__ = "follow"
    __table_args__ = (UniqueConstraint("user_id", "recommendation_id", name="uq_follow_user_recommendation"),)

    user_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    recommendation_id: Mapped[UUID] = mapped_column(ForeignKey("recommendation.id", ondelete="CASCADE"), index=True)


class NotificationPreference(Base):
    """What a person does not want in the inbox, and what they want by e-mail too (lists of kinds)."""

    __tablename__ = "notification_preference"

    user_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), unique=True)
    muted: Mapped[list[str]] = mapped_column(JSON, default=list)
    by_email: Mapped[list[str]] = mapped_column(JSON, default=list)


class MeetingRecommendation(Base):
    """A recommendation discussed at a meeting."""

    __tablename__ = "meeting_recommendation"
    __table_args__ = (UniqueConstraint("meeting_id", "recommendation_id", name="uq_meeting_recommendation"),)

    meeting_id: Mapped[UUID] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    recommendation_id: Mapped[UUID] = mapped_column(ForeignKey("recommendation.id", ondelete="CASCADE"), index=True)
