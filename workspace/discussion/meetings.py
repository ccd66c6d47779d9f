"""Meetings of a working group (cross-border meetings, site visits, the colloquium): date, place,
agenda, minutes in markdown, and the recommendations discussed."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from workspace.core import audit
from workspace.core.forms import MAX_TEXT, Form, FormError
from workspace.core.i18n import gettext as _
from workspace.core.i18n import lazy_gettext
from workspace.cycles.access import CycleAccess, require
from workspace.cycles.models import Meeting, MeetingKind, WorkingGroup
from workspace.discussion.models import MeetingRecommendation
from workspace.recommendations.models import Recommendation, Status

KIND_LABELS = {
    MeetingKind.MEETING: lazy_gettext("Cross-border meeting"),
    MeetingKind.SITE_VISIT: lazy_gettext("Site visit"),
    MeetingKind.COLLOQUIUM: lazy_gettext("Colloquium"),
}


def may_record(access: CycleAccess, group: WorkingGroup) -> bool:
    """Facilitators and the group's own members (not suspended) keep its meetings, until it is archived."""
    if group.is_archived:
        return False
    return bool(access.user) and not access.suspended and (access.is_facilitator or access.in_group(group.id))


async def group_meetings(session: AsyncSession, group: WorkingGroup) -> list[Meeting]:
    return list(
        await session.scalars(select(Meeting).where(Meeting.group_id == group.id).order_by(Meeting.held_on.desc()))
    )


async def group_recommendations(session: AsyncSession, group: WorkingGroup) -> list[Recommendation]:
    return list(
        (
            await session.scalars(
                select(Recommendation)
                .where(Recommendation.group_id == group.id, Recommendation.status != Status.MERGED)
                .order_by(Recommendation.reference, Recommendation.title)
            )
        ).all()
    )


async def record(
    session: AsyncSession, access: CycleAccess, group: WorkingGroup, form: Form, chosen: set[str]
) -> Meeting:
    require(may_record(access, group))
    kind = form.choice("kind", [kind.value for kind in MeetingKind])
    raw_date = form.text("held_on", required=True, max_length=10)
    held_on: date | None = None
    if raw_date:
        try:
            held_on = date.fromisoformat(raw_date)
        except ValueError:
            form.add_error("held_on", _("Enter the date as YYYY-MM-DD, for example 2026-03-14."))
    place = form.text("place", max_length=200)
    agenda = form.text("agenda", max_length=MAX_TEXT)
    minutes = form.text("minutes", max_length=MAX_TEXT)
    candidates = {
        str(recommendation.id): recommendation for recommendation in await group_recommendations(session, group)
    }
    if not chosen <= set(candidates):
        form.add_error("recommendations", _("Choose among the recommendations of this working group."))
    if not form.is_valid:
        raise FormError(form)
    assert held_on is not None
    meeting = Meeting(
        group_id=group.id, kind=MeetingKind(kind), held_on=held_on, place=place, agenda=agenda, minutes=minutes
    )
    session.add(meeting)
    await session.flush()
    for recommendation_id in sorted(chosen):
        session.add(MeetingRecommendation(meeting_id=meeting.id, recommendation_id=UUID(recommendation_id)))
    actor = access.user
    audit.record(
        session,
        action="meeting.record",
        actor_id=actor.id if actor else None,
        cycle_id=access.cycle.id,
        target_kind="meeting",
        target_id=meeting.id,
    )
    return meeting


async def discussed(session: AsyncSession, meeting: Meeting) -> list[Recommendation]:
    return list(
        (
            await session.scalars(
                select(Recommendation)
                .join(MeetingRecommendation, MeetingRecommendation.recommendation_id == Recommendation.id)
                .where(MeetingRecommendation.meeting_id == meeting.id)
                .order_by(Recommendation.reference, Recommendation.title)
            )
        ).all()
    )
