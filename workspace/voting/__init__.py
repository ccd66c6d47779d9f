"""Ballots, rules, tallies and the cross-border double majority."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from workspace.core.forms import Form
from workspace.cycles.access import CycleAccess
from workspace.recommendations.models import Recommendation
from workspace.recommendations.signals import page_opened
from workspace.voting.results import panel


@page_opened.connect
async def _vote_panel_on_the_recommendation_page(
    recommendation: Recommendation, *, session: AsyncSession, access: CycleAccess, kept: dict[str, Any]
) -> dict[str, Any]:
    shown = await panel(session, recommendation, access)
    ballot = shown.ballot if shown else None
    form = Form(values={"choice": ballot.choice.value, "reason": ballot.reason} if ballot else {})
    return {"vote_panel": shown, "ballot_form": form}
