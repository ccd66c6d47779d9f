"""A cycle is one year of the network's work; everything else hangs from it."""

from __future__ import annotations

import enum
from datetime import date, datetime
from uuid import UUID

from advanced_alchemy.types import GUID, DateTimeUTC
from sqlalchemy import Boolean, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workspace.accounts.models import MembershipRole, User
from workspace.core import labels
from workspace.core.i18n import lazy_gettext as _
from workspace.core.models import Base, enum_column


class Phase(enum.StrEnum):
    """Phases in order; the phase decides what may be done."""

    DRAFTING = "drafting"
    DISCUSSION = "discussion"
    VOTING = "voting"
    CONSOLIDATION = "consolidation"
    PUBLISHED = "published"
    FOLLOW_UP = "follow_up"

    @property
    def index(self) -> int:  # type: ignore[override]  # the phase's place in the cycle; str.index is never wanted on a phase
        return list(Phase).index(self)

    @property
    def is_public(self) -> bool:
        return self in (Phase.PUBLISHED, Phase.FOLLOW_UP)


class SideSplit(enum.StrEnum):
    """How the cross-border double majority counts sides."""

    FRANCE_BELGIUM = "fr_be"
    THREE_REGIONS = "fr_wal_vl"


class Eligibility(enum.StrEnum):
    CYCLE = "cycle"
    GROUP = "group"


class Cycle(Base):
    """One year, one theme, a bilingual title."""

    __tablename__ = "cycle"

    year: Mapped[int] = mapped_column(Integer, index=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    title_fr: Mapped[str] = mapped_column(String(200))
    title_nl: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200), default="")
    theme_fr: Mapped[str] = mapped_column(Text, default="")
    theme_nl: Mapped[str] = mapped_column(Text, default="")
    phase: Mapped[Phase] = enum_column(Phase, default=Phase.DRAFTING)
    phase_changed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    phase_ends_on: Mapped[date | None] = mapped_column(Date)
    """When a facilitator plans the current phase to end (for the vote: the day it closes). A plan told to
    people, not a timer: the phase moves on when a facilitator moves it; the date is cleared then."""
    # Voting rules, set before the vote opens and frozen after.
    eligibility: Mapped[Eligibility] = enum_column(Eligibility, default=Eligibility.CYCLE)
    quorum: Mapped[float] = mapped_column(Float, default=0.0)
    adoption_threshold: Mapped[float] = mapped_column(Float, default=0.5)
    side_threshold: Mapped[float] = mapped_column(Float, default=0.5)
    side_split: Mapped[SideSplit] = enum_column(SideSplit, default=SideSplit.FRANCE_BELGIUM)
    blocking_blocks: Mapped[bool] = mapped_column(Boolean, default=True)
    results_live: Mapped[bool] = mapped_column(Boolean, default=False)
    ballots_open: Mapped[bool] = mapped_column(Boolean, default=False)
    colloquium_recommendation_id: Mapped[UUID | None] = mapped_column(GUID(length=16), nullable=True)
    """The recommendation the colloquium room is voting on (no foreign key: cycle and recommendation
    would point at each other; the voting service checks it belongs to the cycle)."""

    axes: Mapped[list[Axis]] = relationship(
        back_populates="cycle", order_by="Axis.position", lazy="raise", cascade="all, delete-orphan"
    )
    groups: Mapped[list[WorkingGroup]] = relationship(
        back_populates="cycle", order_by="WorkingGroup.name", lazy="raise", cascade="all, delete-orphan"
    )

    def title(self, language: str) -> str:
        if language == "nl":
            return self.title_nl
        if language == "en" and self.title_en:
            return self.title_en
        return self.title_fr

    def theme(self, language: str) -> str:
        return self.theme_nl if language == "nl" and self.theme_nl else self.theme_fr


class Axis(Base):
    """A work axis of a cycle: training, practices, governance, or one a facilitator adds."""

    __tablename__ = "axis"
    __table_args__ = (UniqueConstraint("cycle_id", "code"),)

    cycle_id: Mapped[UUID] = mapped_column(ForeignKey("cycle.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(8))
    position: Mapped[int] = mapped_column(Integer, default=0)
    name_fr: Mapped[str] = mapped_column(String(120))
    name_nl: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120), default="")
    description_fr: Mapped[str] = mapped_column(Text, default="")
    description_nl: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")

    cycle: Mapped[Cycle] = relationship(back_populates="axes", lazy="raise")

    def name(self, language: str) -> str:
        if language == "nl":
            return self.name_nl
        if language == "en" and self.name_en:
            return self.name_en
        return self.name_fr

    def description(self, language: str) -> str:
        by_language = {"fr": self.description_fr, "nl": self.description_nl, "en": self.description_en}
        return by_language.get(language) or self.description_fr


class WorkingGroup(Base):
    __tablename__ = "working_group"

    cycle_id: Mapped[UUID] = mapped_column(ForeignKey("cycle.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    archived_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    """An archived group's work is done: it keeps its members, meetings and texts for the record, and is
    no longer offered where one chooses a group (inviting, moving a member, drafting, a new meeting)."""

    cycle: Mapped[Cycle] = relationship(back_populates="groups", lazy="raise")

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class Membership(Base):
    """A person's role in a cycle, and the working group they sit in (if any)."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "cycle_id", "group_id"),)

    user_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    cycle_id: Mapped[UUID] = mapped_column(ForeignKey("cycle.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[UUID | None] = mapped_column(ForeignKey("working_group.id", ondelete="CASCADE"), index=True)
    role: Mapped[MembershipRole] = enum_column(MembershipRole, default=MembershipRole.MEMBER)
    institution: Mapped[str | None] = mapped_column(String(200))
    suspended_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))

    user: Mapped[User] = relationship(lazy="raise")
    cycle: Mapped[Cycle] = relationship(lazy="raise")
    group: Mapped[WorkingGroup | None] = relationship(lazy="raise")


class MeetingKind(enum.StrEnum):
    MEETING = "meeting"
    SITE_VISIT = "site_visit"
    COLLOQUIUM = "colloquium"


class Meeting(Base):
    __tablename__ = "meeting"

    group_id: Mapped[UUID] = mapped_column(ForeignKey("working_group.id", ondelete="CASCADE"), index=True)
    kind: Mapped[MeetingKind] = enum_column(MeetingKind, default=MeetingKind.MEETING)
    held_on: Mapped[date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(200), default="")
    agenda: Mapped[str] = mapped_column(Text, default="")
    minutes: Mapped[str] = mapped_column(Text, default="")


class Invitation(Base):
    """A single-use sign-up link that grants a role in a cycle (and a working group)."""

    __tablename__ = "invitation"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str | None] = mapped_column(String(254))
    role: Mapped[MembershipRole] = enum_column(MembershipRole)
    cycle_id: Mapped[UUID] = mapped_column(ForeignKey("cycle.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[UUID | None] = mapped_column(ForeignKey("working_group.id", ondelete="CASCADE"))
    institution: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    expires_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    accepted_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    accepted_by_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    language: Mapped[str] = mapped_column(String(2), default="fr", server_default="fr")
    """The language of the invitation's e-mail and of the sign-up page it opens."""
    mail_status: Mapped[str] = mapped_column(String(12), default="", server_default="")
    """The invitation's e-mail: "" (none: an open link), "waiting", "sent" or "failed"."""


labels.register(
    Phase,
    {
        Phase.DRAFTING: _("Drafting"),
        Phase.DISCUSSION: _("Discussion"),
        Phase.VOTING: _("Voting"),
        Phase.CONSOLIDATION: _("Consolidation"),
        Phase.PUBLISHED: _("Published"),
        Phase.FOLLOW_UP: _("Follow-up"),
    },
)
