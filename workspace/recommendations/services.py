"""Recommendations: finding them, listing them by axis, and who may see which."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from workspace.accounts.models import User
from workspace.core.web import found
from workspace.cycles.access import CycleAccess, cycle_access, require
from workspace.cycles.models import Axis, Cycle
from workspace.recommendations.models import CoAuthor, Recommendation, Status

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


async def axis_recommendations(
    session: AsyncSession, access: CycleAccess, axis: Axis, *, page: int = 1, size: int = 20
) -> tuple[list[Recommendation], Page]:
    """One page of an axis's recommendations, with authors and tags, in a fixed number of queries."""
    condition = (
        Recommendation.cycle_id == access.cycle.id,
        Recommendation.axis_id == axis.id,
        Recommendation.status.in_(visible_statuses(access)),
    )
    total = await session.scalar(select(func.count()).select_from(Recommendation).where(*condition)) or 0
    page_info = Page(number=max(1, min(page, max(1, -(-total // size)))), size=size, total=total)
    recommendations = (
        await session.scalars(
            select(Recommendation)
            .where(*condition)
            .order_by(Recommendation.reference.is_(None), Recommendation.reference, Recommendation.created_at)
            .offset((page_info.number - 1) * size)
            .limit(size)
            .options(
                selectinload(Recommendation.author),
                selectinload(Recommendation.tags),
                selectinload(Recommendation.group),
            )
        )
    ).all()
    return list(recommendations), page_info


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
