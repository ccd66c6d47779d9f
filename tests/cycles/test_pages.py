"""Home, cycle, axis and working-group pages, and who may see them."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from tests.factories import add_member, make_cycle, make_recommendation, make_user
from tests.helpers import headings, sign_in
from workspace.accounts.models import MembershipRole
from workspace.cycles.models import Phase
from workspace.recommendations.models import Status


async def test_home_shows_the_current_cycle_and_its_three_axes_with_counts(client, db):
    member = await make_user(db)
    cycle = await make_cycle(db, title_fr="Accès au logement pour les jeunes")
    await add_member(db, member, cycle)
    for _ in range(3):
        await make_recommendation(db, cycle, axis_code="P", author=member)
    await make_recommendation(db, cycle, axis_code="G", author=member)
    await sign_in(client, member)
    page = await client.get("/")
    assert headings(page.text) == ["Accès au logement pour les jeunes"]
    for name in ("Formation", "Pratiques", "Gouvernance"):
        assert name in page.text
    assert "3 recommendations" in page.text or "3 recommandations" in page.text
    assert "0 recommendation" in page.text or "0 recommandation" in page.text


async def test_the_cycle_page_shows_the_phase_timeline_with_the_current_phase(client, db):
    member = await make_user(db)
    cycle = await make_cycle(db, phase=Phase.VOTING)
    await add_member(db, member, cycle)
    await sign_in(client, member)
    page = await client.get(f"/cycles/{cycle.slug}")
    assert page.status_code == 200
    assert page.text.count('aria-current="step"') == 1
    assert page.text.count('class="timeline__done"') == 2
    assert f"/groups/{cycle.groups[0].id}" in page.text


async def test_an_anonymous_visitor_cannot_see_a_cycle_being_drafted(client, db):
    cycle = await make_cycle(db, phase=Phase.DRAFTING)
    assert (await client.get(f"/cycles/{cycle.slug}")).status_code == 404
    assert (await client.get(f"/cycles/{cycle.slug}/axes/p")).status_code == 404


async def test_a_published_cycle_is_public_with_only_its_decided_recommendations(client, db):
    cycle = await make_cycle(db, phase=Phase.PUBLISHED)
    adopted = await make_recommendation(db, cycle, status=Status.ADOPTED, title="Adoptée et publique")
    draft = await make_recommendation(db, cycle, status=Status.DRAFT, title="Brouillon interne")
    axis = await client.get(f"/cycles/{cycle.slug}/axes/p")
    assert axis.status_code == 200
    assert "Adoptée et publique" in axis.text
    assert "Brouillon interne" not in axis.text
    assert (await client.get(f"/recommendations/{adopted.id}")).status_code == 200
    assert (await client.get(f"/recommendations/{draft.id}")).status_code == 404
    assert (await client.get(f"/groups/{cycle.groups[0].id}", follow_redirects=False)).status_code in (302, 303)


async def test_a_member_of_another_cycle_gets_404_everywhere_in_this_one(client, db):
    outsider = await make_user(db)
    mine = await make_cycle(db)
    theirs = await make_cycle(db)
    await add_member(db, outsider, mine)
    recommendation = await make_recommendation(db, theirs)
    await sign_in(client, outsider)
    for path in (
        f"/cycles/{theirs.slug}",
        f"/cycles/{theirs.slug}/axes/f",
        f"/recommendations/{recommendation.id}",
        f"/groups/{theirs.groups[0].id}",
        f"/cycles/{theirs.slug}/invitations",
    ):
        response = await client.get(path)
        assert response.status_code == 404, path
    home = await client.get("/")
    assert theirs.title_fr not in home.text


async def test_a_member_of_one_group_sees_the_other_groups_of_their_cycle(client, db):
    member = await make_user(db)
    cycle = await make_cycle(db, groups=2)
    await add_member(db, member, cycle, group=cycle.groups[0])
    await sign_in(client, member)
    assert (await client.get(f"/groups/{cycle.groups[1].id}")).status_code == 200


async def test_the_working_group_page_lists_its_members_with_their_side(client, db):
    member = await make_user(db, display_name="Julien Deroo", organisation="CCAS de Roubaix")
    flemish = await make_user(db, display_name="Griet Vandenberghe", territory="west_vlaanderen")
    cycle = await make_cycle(db)
    await add_member(db, member, cycle)
    await add_member(db, flemish, cycle, role=MembershipRole.FACILITATOR)
    await sign_in(client, member)
    page = await client.get(f"/groups/{cycle.groups[0].id}")
    assert "CCAS de Roubaix" in page.text
    assert "Griet Vandenberghe" in page.text
    assert 'class="side-vl"' in page.text


async def test_an_unknown_axis_or_cycle_is_a_friendly_404(client, db):
    member = await make_user(db)
    cycle = await make_cycle(db)
    await add_member(db, member, cycle)
    await sign_in(client, member)
    for path in (f"/cycles/{cycle.slug}/axes/zz", "/cycles/no-such-cycle", "/groups/not-a-uuid"):
        response = await client.get(path)
        assert response.status_code == 404, path
        assert headings(response.text), path


async def test_the_axis_page_paginates(client, db):
    member = await make_user(db)
    cycle = await make_cycle(db)
    await add_member(db, member, cycle)
    for index in range(25):
        await make_recommendation(db, cycle, title=f"Recommandation numéro {index:02d}")
    await sign_in(client, member)
    first = await client.get(f"/cycles/{cycle.slug}/axes/p")
    second = await client.get(f"/cycles/{cycle.slug}/axes/p?page=2")
    assert first.text.count('href="/recommendations/') == 20
    assert second.text.count('href="/recommendations/') == 5
    assert 'rel="next"' in first.text
    partial = await client.get(f"/cycles/{cycle.slug}/axes/p?page=2", headers={"HX-Request": "true"})
    assert "<html" not in partial.text
    assert 'id="axis-list"' in partial.text
    assert (await client.get(f"/cycles/{cycle.slug}/axes/p?page=abc")).status_code == 400


@pytest.mark.without_jobs
async def test_the_axis_page_makes_the_same_number_of_queries_for_3_or_20_recommendations(client, db, app):
    member = await make_user(db)
    small = await make_cycle(db)
    large = await make_cycle(db)
    for cycle in (small, large):
        await add_member(db, member, cycle)
    for _ in range(3):
        await make_recommendation(db, small, author=member, tags=[])
    for _ in range(20):
        await make_recommendation(db, large, author=member)
    await sign_in(client, member)
    statements: list[str] = []

    def count(*args, **kwargs):
        if args[2].lstrip().upper().startswith("SELECT"):  # reads only: a session's write-back may or may not fall here
            statements.append(args[2])

    engines = {app.state.db.reader.sync_engine, app.state.db.writer.sync_engine}
    for engine in engines:
        event.listen(engine, "before_cursor_execute", count)
    try:
        await client.get(f"/cycles/{small.slug}/axes/p")
        small_count = len(statements)
        statements.clear()
        await client.get(f"/cycles/{large.slug}/axes/p")
        large_count = len(statements)
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", count)
    assert small_count == large_count
    assert large_count <= 20
