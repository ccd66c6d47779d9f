"""The consolidated dossier, its exports, and the authorities' answers."""

from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from workspace.cycles.access import CycleAccess
from workspace.discussion.signals import comment_withdrawn
from workspace.dossier import carry_over
from workspace.dossier.export_cache import forget_discussion_exports
from workspace.recommendations.models import Recommendation
from workspace.recommendations.signals import page_opened


@comment_withdrawn.connect
async def _forget_exports_keeping_the_comment(_comment: object, *, session: AsyncSession, cycle_id: UUID) -> None:
    """A hidden or deleted comment leaves every stored export with the discussion annex of its cycle."""
    await forget_discussion_exports(session, cycle_id)


@page_opened.connect
async def _carried_on_the_recommendation_page(
    recommendation: Recommendation, *, session: AsyncSession, access: CycleAccess, **_context: Any
) -> dict[str, Any]:
    """The chain across years, seen from both ends: where the text came from, where it was carried to (a
    link only for a reader who may open that cycle, else the year alone)."""
    came_from, carried_to = await carry_over.links(session, [recommendation.id])
    source, later = came_from.get(recommendation.id), carried_to.get(recommendation.id)
    return {
        "carried_from": source,
        "carried_to": later,
        "carried_to_readable": later is not None and await carry_over.readable(session, access.user, later),
    }
