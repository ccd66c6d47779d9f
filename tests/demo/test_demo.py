"""The demo workspace tells a coherent story: what the 2012 vote adopted is what its rules give."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from workspace.cycles.access import cycle_access
from workspace.cycles.models import Cycle
from workspace.demo.loader import load_demo
from workspace.recommendations.models import Status
from workspace.voting import results


@pytest.mark.sqlite_only
async def test_the_2012_statuses_are_those_the_double_majority_gives(db):
    assert await load_demo(db, report=lambda _message: None)
    async with db.session(write=False) as session:
        cycle = await session.scalar(select(Cycle).where(Cycle.year == 2012).options(selectinload(Cycle.axes)))
        access = await cycle_access(session, None, cycle)
        by_axis = await results.cycle_results(session, access)
    outcomes = [(r.recommendation.status, r.verdict.adopted) for group in by_axis for r in group.results]
    assert outcomes
    assert all((status == Status.ADOPTED) == adopted for status, adopted in outcomes)
    assert any(not adopted for _status, adopted in outcomes)
    assert any(r.objections for group in by_axis for r in group.results)
