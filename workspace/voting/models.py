"""One ballot per member and recommendation, enforced by the database.

The voter's side of the border and kind of actor are copied onto the ballot when it is cast, so the
breakdown of a closed vote does not change when someone later edits their profile or leaves.
"""

from __future__ import annotations

import enum
from uuid import UUID

from sqlalchemy import ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workspace.accounts.models import ActorKind, Side
from workspace.core import labels
from workspace.core.i18n import lazy_gettext as _
from workspace.core.models import Base, enum_column


class ReasonReview(enum.StrEnum):
    """What facilitators decided about a ballot's reason that the personal-data guard flags."""

    KEEP = "keep"
    OMIT = "omit"


class Choice(enum.StrEnum):
    FOR = "for"
    AGAINST = "against"
    ABSTAIN = "abstain"
    BLOCK = "block"


class Ballot(Base):
    __tablename__ = "ballot"
    __table_args__ = (UniqueConstraint("recommendation_id", "user_id"),)

    recommendation_id: Mapped[UUID] = mapped_column(ForeignKey("recommendation.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    choice: Mapped[Choice] = enum_column(Choice)
    reason: Mapped[str] = mapped_column(Text, default="")
    reason_review: Mapped[ReasonReview | None] = enum_column(ReasonReview, length=8, nullable=True)
    """What facilitators decided about a reason the personal-data guard flags once the vote has closed:
    "keep" it as written or "omit" it from the dossier and the results (workspace/dossier/reasons.py)."""
    side: Mapped[Side | None] = enum_column(Side, nullable=True)
    actor_kind: Mapped[ActorKind | None] = enum_column(ActorKind, nullable=True)


labels.register(
    Choice,
    {
        Choice.FOR: _("For"),
        Choice.AGAINST: _("Against"),
        Choice.ABSTAIN: _("Abstain"),
        Choice.BLOCK: _("Blocking objection"),
    },
)
