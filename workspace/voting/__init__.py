"""Ballots, rules, tallies and the cross-border double majority."""

from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from workspace.core.forms import Form
from workspace.cycles.access import CycleAccess
from workspace.recommendations.models import Recommendation
from workspace.recommendations.signals import list_shown, page_opened, results_visible
from workspace.voting import rules
from workspace.voting.results import panel
from workspace.voting.services import support_and_consensus


@page_opened.connect
async def _vote_panel_on_the_recommendation_page(
    recommendation: Recommendation, *, session: AsyncSession, access: CycleAccess, kept: dict[str, Any]
) -> dict[str, Any]:
    shown = await panel(session, recommendation, access)
    ballot = shown.ballot if shown else None
    form = Form(values={"choice": ballot.choice.value, "reason": ballot.reason} if ballot else {})
    return {"vote_panel": shown, "ballot_form": form}


@list_shown.connect
async def _results_in_lists_of_recommendations(
    _sender: None,
    *,
    session: AsyncSession,
    ids: list[UUID],
    cycle_of: dict[UUID, UUID],
    accesses: dict[UUID, CycleAccess],
) -> dict[UUID, dict[str, Any]]:
    return await support_and_consensus(session, ids, cycle_of, accesses)


@results_visible.connect
async def _results_visible_to(access: CycleAccess) -> bool:
    return rules.results_visible(access)
