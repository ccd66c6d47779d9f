"""The consolidated dossier (its draft, its published versions and their exports) and the authorities'
answers to the recommendations addressed to them."""

from __future__ import annotations

import enum
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import JSON, Date, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workspace.core import labels
from workspace.core.i18n import lazy_gettext as _
from workspace.core.models import Base, enum_column


class Dossier(Base):
    """What facilitators write around the adopted recommendations while consolidating: the order and the
    introductions. Published versions freeze it together with the recommendations' text."""

    __tablename__ = "dossier"

    cycle_id: Mapped[UUID] = mapped_column(ForeignKey("cycle.id", ondelete="CASCADE"), unique=True)
    introduction_fr: Mapped[str] = mapped_column(Text, default="")
    introduction_nl: Mapped[str] = mapped_column(Text, default="")
    axis_introductions: Mapped[dict[str, dict[str, str]]] = mapped_column(JSON, default=dict)
    """Per axis id: {"fr": ..., "nl": ...}."""
    order: Mapped[list[str]] = mapped_column(JSON, default=list)
    """Recommendation ids in the order the facilitators chose; numbering follows it within each axis."""


class DossierVersion(Base):
    """A published, frozen dossier: the content model as it was, never changed afterwards."""

    __tablename__ = "dossier_version"
    __table_args__ = (UniqueConstraint("cycle_id", "number"),)

    cycle_id: Mapped[UUID] = mapped_column(ForeignKey("cycle.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    published_by_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")
    """What a correction changed (empty for the first version)."""
    content: Mapped[dict[str, Any]] = mapped_column(JSON)


class ExportStatus(enum.StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class DossierExport(Base):
    """One export file, built in the background; kept and served again for published versions."""

    __tablename__ = "dossier_export"

    cycle_id: Mapped[UUID] = mapped_column(ForeignKey("cycle.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[UUID | None] = mapped_column(ForeignKey("dossier_version.id", ondelete="CASCADE"), index=True)
    """None for a preview of the draft (facilitators only, never reused)."""
    format: Mapped[str] = mapped_column(String(8))
    language: Mapped[str] = mapped_column(String(8))
    discussion: Mapped[str] = mapped_column(String(64), default="", server_default="")
    """Empty without the discussion annex; with it, a digest of the annex's text (annex.discussion_key),
    so that a kept export is served again only for the same discussion."""
    status: Mapped[ExportStatus] = enum_column(ExportStatus, default=ExportStatus.PENDING)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    filename: Mapped[str] = mapped_column(String(200), default="")
    data: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True, deferred=True)
    """The file, never loaded with the row: a download streams it in pieces (dossier/jobs.py `file_pieces`)."""
    error: Mapped[str] = mapped_column(Text, default="")
    requested_by_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))


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


labels.register(
    Position,
    {
        Position.AGREES: _("Agrees"),
        Position.WILL_STUDY: _("Will study"),
        Position.PARTLY: _("Partly agrees"),
        Position.DISAGREES: _("Disagrees"),
    },
)
labels.register(
    Implementation,
    {
        Implementation.NOT_STARTED: _("Not started"),
        Implementation.IN_PROGRESS: _("In progress"),
        Implementation.DONE: _("Done"),
        Implementation.ABANDONED: _("Abandoned"),
    },
)
