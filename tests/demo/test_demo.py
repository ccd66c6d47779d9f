"""The demo workspace tells a coherent story: what the 2012 vote adopted is what its rules give, and its
published dossier went through the personal data guard."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from workspace.cycles.access import cycle_access
from workspace.cycles.models import Cycle
from workspace.demo.loader import load_demo
from workspace.dossier import guard
from workspace.dossier.models import DossierVersion
from workspace.recommendations.models import Recommendation, SourceDocument, Status
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


@pytest.mark.sqlite_only
async def test_the_published_2012_dossier_leaves_out_the_minority_view_that_cites_someone(db):
    assert await load_demo(db, report=lambda _message: None)
    async with db.session(write=False) as session:
        cycle = await session.scalar(select(Cycle).where(Cycle.year == 2012).options(selectinload(Cycle.axes)))
        flagged = await guard.flagged_reasons(session, cycle)
        version = await session.scalar(select(DossierVersion).where(DossierVersion.cycle_id == cycle.id))
    assert [reason.decision for reason in flagged] == ["omit"]
    assert "06 12 34 56 78" in flagged[0].objection.reason
    assert "06 12 34 56 78" not in str(version.content)
    assert "minority_views" in str(version.content)


async def test_the_2012_cycle_holds_drafts_imported_from_a_working_groups_notes(db):
    assert await load_demo(db, report=lambda _message: None)
    async with db.session(write=False) as session:
        cycle = await session.scalar(select(Cycle).where(Cycle.year == 2012))
        document = await session.scalar(select(SourceDocument).where(SourceDocument.cycle_id == cycle.id))
        imported = (
            await session.scalars(select(Recommendation).where(Recommendation.source_document_id == document.id))
        ).all()
    assert document.file_name.endswith(".docx")
    assert document.imported_at is not None
    assert {draft.status for draft in imported} == {Status.DRAFT}
    assert sorted(draft.source_item for draft in imported) == [2, 5]
