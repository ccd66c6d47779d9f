"""The ballot paper: what is put to the vote, as the reader filtered and ordered it, with each row's facts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from workspace.cycles.access import CycleAccess
from workspace.cycles.models import WorkingGroup
from workspace.recommendations import listing
from workspace.recommendations.models import Recommendation
from workspace.voting.services import ON_THE_BALLOT

ORDERS = ("axis", "newest", "discussed", "status")
"""No order by results: once they are visible the page shows the results instead of the paper."""


@dataclass
class BallotPaper:
    listing: listing.Listing
    groups: list[WorkingGroup]
    orders: tuple[str, ...] = ORDERS


async def ballot_paper(session: AsyncSession, access: CycleAccess, raw: dict[str, str]) -> BallotPaper:
    """Every recommendation on the ballot (as `services.recommendations_on_ballot`), filtered, on one page."""
    statement = select(Recommendation).where(
        Recommendation.cycle_id == access.cycle.id, Recommendation.status.in_(ON_THE_BALLOT)
    )
    filters = listing.ListFilters.from_query(orders=ORDERS, **raw)
    listed = await listing.list_page(
        session, statement, filters, {access.cycle.id: access}, order_by=listing.sql_order(filters.order), size=None
    )
    return BallotPaper(listing=listed, groups=await listing.groups_listed(session, statement))
