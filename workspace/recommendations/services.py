"""Recommendations: finding them, listing them by axis, and who may see which."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from workspace.accounts.models import User
from workspace.core.web import found
from workspace.cycles.access import CycleAccess, cycle_access, require
from workspace.cycles.models import Axis, Cycle
from workspace.recommendations.models import (
    Amendment,
    AmendmentStatus,
    CoAuthor,
    Recommendation,
    Revision,
    Status,
    Translation,
)
from workspace.recommendations.rules import EDITABLE_PHASES, OPEN_STATUSES

PUBLIC_STATUSES = (Status.ADOPTED, Status.NOT_ADOPTED)


def visible_statuses(access: CycleAccess) -> tuple[Status, ...]:
    return tuple(Status) if access.is_participant else PUBLIC_STATUSES


async def axis_counts(session: AsyncSession, access: CycleAccess) -> dict[UUID, int]:
    rows = await session.execute(
        select(Recommendation.axis_id, func.count())
        .where(
            Recommendation.cycle_id == access.cycle.id,
            Recommendation.status.in_(visible_statuses(access)),
        )
        .group_by(Recommendation.axis_id)
    )
    return {axis_id: count for axis_id, count in rows.all()}  # noqa: C416 - rows, not pairs


@dataclass(frozen=True)
class Page:
    number: int
    size: int
    total: int

    @property
    def count(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.count


async def get_recommendation(
    session: AsyncSession, recommendation_id: UUID, user: User | None
) -> tuple[Recommendation, CycleAccess]:
    recommendation = await session.scalar(
        select(Recommendation)
        .where(Recommendation.id == recommendation_id)
        .options(
            selectinload(Recommendation.axis).selectinload(Axis.cycle),
            selectinload(Recommendation.author),
            selectinload(Recommendation.group),
            selectinload(Recommendation.tags),
            selectinload(Recommendation.coauthors).selectinload(CoAuthor.user),
        )
    )
    recommendation = found(recommendation)
    cycle: Cycle = recommendation.axis.cycle
    access = await cycle_access(session, user, cycle)
    require(access.can_view and recommendation.status in visible_statuses(access))
    return recommendation, access


def _my_texts(cycle: Cycle, user: User) -> tuple[Any, ...]:
    """The recommendations of the cycle a person wrote or co-writes, still open (not withdrawn or merged)."""
    coauthored = select(CoAuthor.recommendation_id).where(CoAuthor.user_id == user.id)
    return (
        Recommendation.cycle_id == cycle.id,
        Recommendation.status.not_in((Status.WITHDRAWN, Status.MERGED)),
        or_(Recommendation.author_id == user.id, Recommendation.id.in_(coauthored)),
    )


async def amendments_awaiting(
    session: AsyncSession, cycle: Cycle, user: User
) -> list[tuple[Amendment, Recommendation]]:
    """Open amendments others proposed to what the person writes, while co-authors may still decide them."""
    if cycle.phase not in EDITABLE_PHASES:
        return []
    rows = await session.execute(
        select(Amendment, Recommendation)
        .join(Recommendation, Recommendation.id == Amendment.recommendation_id)
        .where(
            *_my_texts(cycle, user),
            Recommendation.status.in_(OPEN_STATUSES),
            Amendment.status == AmendmentStatus.OPEN,
            or_(Amendment.author_id.is_(None), Amendment.author_id != user.id),
        )
        .order_by(Amendment.created_at)
    )
    return [(amendment, recommendation) for amendment, recommendation in rows.all()]


@dataclass(frozen=True)
class CoWritten:
    """A recommendation the person writes, and what others changed in it since they last worked on it."""

    recommendation: Recommendation
    since: datetime
    """The person's latest revision of it, or when they became co-author if that is later."""
    revisions: int
    """Revisions saved by others since then."""


async def cowritten(session: AsyncSession, cycle: Cycle, user: User) -> list[CoWritten]:
    """Each text the person writes with the revisions others saved since the person's own last
    revision (or since joining as co-author): three queries whatever their number."""
    recommendations = list(
        (
            await session.scalars(select(Recommendation).where(*_my_texts(cycle, user)).order_by(Recommendation.title))
        ).all()
    )
    if not recommendations:
        return []
    ids = [recommendation.id for recommendation in recommendations]
    rows = await session.execute(
        select(Revision.recommendation_id, Revision.author_id, Revision.created_at).where(
            Revision.recommendation_id.in_(ids)
        )
    )
    last: dict[UUID, datetime] = {}
    theirs: dict[UUID, list[datetime]] = {}
    for recommendation_id, author_id, created_at in rows.all():
        if author_id == user.id:
            last[recommendation_id] = max(last.get(recommendation_id, created_at), created_at)
        else:
            theirs.setdefault(recommendation_id, []).append(created_at)
    joined = await session.execute(
        select(CoAuthor.recommendation_id, CoAuthor.created_at).where(
            CoAuthor.user_id == user.id, CoAuthor.recommendation_id.in_(ids)
        )
    )
    joined_at: dict[UUID, datetime] = {row[0]: row[1] for row in joined.all()}
    result = []
    for recommendation in recommendations:
        moments_of = [at for at in (last.get(recommendation.id), joined_at.get(recommendation.id)) if at is not None]
        baseline = max(moments_of) if moments_of else recommendation.created_at
        others = sum(1 for at in theirs.get(recommendation.id, []) if at > baseline)
        result.append(CoWritten(recommendation, baseline, others))
    return result


async def stale_translations(session: AsyncSession, cycle: Cycle, user: User) -> list[tuple[Recommendation, list[str]]]:
    """The person's texts with the languages whose translation was made from an older revision."""
    rows = await session.execute(
        select(Recommendation, Translation.language)
        .join(Translation, Translation.recommendation_id == Recommendation.id)
        .where(*_my_texts(cycle, user), Translation.source_revision < Recommendation.revision_number)
        .order_by(Recommendation.title, Translation.language)
    )
    stale: dict[UUID, tuple[Recommendation, list[str]]] = {}
    for recommendation, language in rows.all():
        stale.setdefault(recommendation.id, (recommendation, []))[1].append(language)
    return list(stale.values())
