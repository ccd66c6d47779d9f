"""A recommendation is the unit of the network's work: one concrete proposal, written together."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any
from uuid import UUID

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workspace.accounts.models import User
from workspace.core import labels
from workspace.core.i18n import lazy_gettext as _
from workspace.core.models import Base, enum_column
from workspace.cycles.models import Axis, WorkingGroup


class Status(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"
    MERGED = "merged"
    ADOPTED = "adopted"
    NOT_ADOPTED = "not_adopted"


class ActionLevel(enum.StrEnum):
    """Who should act."""

    LOCAL = "local"
    REGIONAL = "regional"
    NATIONAL = "national"
    CROSS_BORDER = "cross_border"


TEXT_FIELDS = (
    "title",
    "finding",
    "proposal",
    "institutions",
    "expected_effect",
    "scheme_fr",
    "scheme_wal",
    "scheme_vl",
    "harmonisation",
)
"""The fields every revision keeps a copy of."""


class Recommendation(Base):
    __tablename__ = "recommendation"

    cycle_id: Mapped[UUID] = mapped_column(ForeignKey("cycle.id", ondelete="CASCADE"), index=True)
    axis_id: Mapped[UUID] = mapped_column(ForeignKey("axis.id", ondelete="RESTRICT"), index=True)
    group_id: Mapped[UUID | None] = mapped_column(ForeignKey("working_group.id", ondelete="SET NULL"))
    author_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    status: Mapped[Status] = enum_column(Status, default=Status.DRAFT, index=True)
    language: Mapped[str] = mapped_column(String(2), default="fr")
    reference: Mapped[str | None] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    finding: Mapped[str] = mapped_column(Text, default="")
    proposal: Mapped[str] = mapped_column(Text, default="")
    action_level: Mapped[ActionLevel] = enum_column(ActionLevel, default=ActionLevel.LOCAL)
    institutions: Mapped[str] = mapped_column(Text, default="")
    expected_effect: Mapped[str] = mapped_column(Text, default="")
    scheme_fr: Mapped[str] = mapped_column(Text, default="")
    scheme_wal: Mapped[str] = mapped_column(Text, default="")
    scheme_vl: Mapped[str] = mapped_column(Text, default="")
    harmonisation: Mapped[str] = mapped_column(Text, default="")
    revision_number: Mapped[int] = mapped_column(Integer, default=1)
    discussion_locked: Mapped[bool] = mapped_column(Boolean, default=False)
    merged_into_id: Mapped[UUID | None] = mapped_column(ForeignKey("recommendation.id", ondelete="SET NULL"))
    carried_from_id: Mapped[UUID | None] = mapped_column(ForeignKey("recommendation.id", ondelete="SET NULL"))
    privacy_confirmations: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    """Fingerprints of flagged passages the authors confirmed are not personal data."""
    source_document_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("source_document.id", ondelete="SET NULL"), index=True
    )
    """The document this draft was imported from (see `importing`)."""
    source_item: Mapped[int | None] = mapped_column(Integer)
    """Its place among the items the document was split into, counted from 1."""
    source_heading: Mapped[str | None] = mapped_column(String(200))
    """The heading or numbered item it came from, as the document wrote it."""

    axis: Mapped[Axis] = relationship(lazy="raise")
    group: Mapped[WorkingGroup | None] = relationship(lazy="raise")
    author: Mapped[User | None] = relationship(lazy="raise")
    tags: Mapped[list[RecommendationTag]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="RecommendationTag.tag"
    )
    coauthors: Mapped[list[CoAuthor]] = relationship(lazy="raise", cascade="all, delete-orphan")


class SourceFormat(enum.StrEnum):
    DOCX = "docx"
    ODT = "odt"
    MARKDOWN = "markdown"


class SourceDocument(Base):
    """A document (a past dossier, a working group's notes) a facilitator imported as draft recommendations.

    While `imported_at` is empty the proposed split waits in `proposal` for the facilitator's review;
    once the drafts are made it is kept as the drafts' source (file name, format, who, when)."""

    __tablename__ = "source_document"

    cycle_id: Mapped[UUID] = mapped_column(ForeignKey("cycle.id", ondelete="CASCADE"), index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    format: Mapped[SourceFormat] = enum_column(SourceFormat)
    uploaded_by_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    proposal: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    imported_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))


class RecommendationTag(Base):
    __tablename__ = "recommendation_tag"
    __table_args__ = (UniqueConstraint("recommendation_id", "tag"),)

    recommendation_id: Mapped[UUID] = mapped_column(ForeignKey("recommendation.id", ondelete="CASCADE"), index=True)
    tag: Mapped[str] = mapped_column(String(60), index=True)


class CoAuthor(Base):
    __tablename__ = "co_author"
    __table_args__ = (UniqueConstraint("recommendation_id", "user_id"),)

    recommendation_id: Mapped[UUID] = mapped_column(ForeignKey("recommendation.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)

    user: Mapped[User] = relationship(lazy="raise")


class Revision(Base):
    """An immutable snapshot of a recommendation's text, made at every save."""

    __tablename__ = "revision"
    __table_args__ = (UniqueConstraint("recommendation_id", "number"),)

    recommendation_id: Mapped[UUID] = mapped_column(ForeignKey("recommendation.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    message: Mapped[str] = mapped_column(String(300), default="")
    content: Mapped[dict[str, Any]] = mapped_column(JSON)


class AmendmentStatus(enum.StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class Amendment(Base):
    """A change proposed by a member who is not a co-author."""

    __tablename__ = "amendment"

    recommendation_id: Mapped[UUID] = mapped_column(ForeignKey("recommendation.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    base_revision: Mapped[int] = mapped_column(Integer)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[AmendmentStatus] = enum_column(AmendmentStatus, default=AmendmentStatus.OPEN)
    decided_by_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    decision_reason: Mapped[str] = mapped_column(Text, default="")


class Translation(Base):
    """The text of a recommendation in another language, tied to the revision it was made from."""

    __tablename__ = "translation"
    __table_args__ = (UniqueConstraint("recommendation_id", "language"),)

    recommendation_id: Mapped[UUID] = mapped_column(ForeignKey("recommendation.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(2))
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    source_revision: Mapped[int] = mapped_column(Integer)
    translator_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))


class GlossaryTerm(Base):
    """A term of the field in both languages (CPAS ↔ OCMW)."""

    __tablename__ = "glossary_term"

    term_fr: Mapped[str] = mapped_column(String(160))
    term_nl: Mapped[str] = mapped_column(String(160))
    term_en: Mapped[str] = mapped_column(String(160), default="")
    definition_fr: Mapped[str] = mapped_column(Text, default="")
    definition_nl: Mapped[str] = mapped_column(Text, default="")


labels.register(
    Status,
    {
        Status.DRAFT: _("Draft"),
        Status.SUBMITTED: _("Submitted"),
        Status.WITHDRAWN: _("Withdrawn"),
        Status.MERGED: _("Merged"),
        Status.ADOPTED: _("Adopted"),
        Status.NOT_ADOPTED: _("Not adopted"),
    },
)
labels.register(
    ActionLevel,
    {
        ActionLevel.LOCAL: _("Local"),
        ActionLevel.REGIONAL: _("Regional"),
        ActionLevel.NATIONAL: _("National"),
        ActionLevel.CROSS_BORDER: _("Cross-border"),
    },
    name="level",
)
