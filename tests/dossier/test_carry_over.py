"""Memory across years: a not adopted or unanswered recommendation is carried into a later cycle as a draft
that links back; the follow-up boards show the chain and span cycles."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.dossier.support import consolidation
from tests.factories import add_member, make_cycle, make_user
from tests.helpers import post_form, sign_in
from workspace.accounts.models import Language, MembershipRole
from workspace.cycles.models import Phase
from workspace.recommendations.models import Recommendation, Revision, Status


async def test_not_adopted_recommendation_is_carried_into_a_later_cycle_with_a_link_back(client, db):
    setup = await consolidation(db)
    later = await make_cycle(db, year=2014, phase=Phase.DRAFTING)
    await add_member(db, setup.facilitator, later, role=MembershipRole.FACILITATOR, group=None)
    slug = setup.cycle.slug
    await sign_in(client, setup.facilitator)
    page = await client.get(f"/cycles/{slug}/carry-over")
    assert page.status_code == 200
    assert "Une allocation unique transfrontalière" in page.text
    assert "Un guichet unique pour les jeunes" in page.text  # adopted but never answered
    response = await post_form(
        client,
        f"/cycles/{slug}/carry-over",
        {"recommendation_id": str(setup.rejected.id), "target": later.slug},
        token_from=f"/cycles/{slug}",
    )
    assert response.status_code == 303
    async with db.session(write=False) as session:
        carried = await session.scalar(select(Recommendation).where(Recommendation.cycle_id == later.id))
        revisions = (await session.scalars(select(Revision).where(Revision.recommendation_id == carried.id))).all()
    assert carried.carried_from_id == setup.rejected.id
    assert carried.status == Status.DRAFT
    assert carried.title == "Une allocation unique transfrontalière"
    assert [revision.message for revision in revisions] == ["Carried over from 2013"]
    new_page = await client.get(f"/recommendations/{carried.id}")
    assert f'href="/recommendations/{setup.rejected.id}"' in new_page.text
    again = await client.get(f"/cycles/{slug}/carry-over")
    assert "Une allocation unique transfrontalière" not in again.text


async def test_carrying_over_is_refused_for_members_closed_cycles_and_answered_recommendations(client, db):
    setup = await consolidation(db)
    closed = await make_cycle(db, year=2014, phase=Phase.VOTING)
    await add_member(db, setup.facilitator, closed, role=MembershipRole.FACILITATOR, group=None)
    slug = setup.cycle.slug
    await sign_in(client, setup.facilitator)
    response = await post_form(
        client,
        f"/cycles/{slug}/carry-over",
        {"recommendation_id": str(setup.rejected.id), "target": closed.slug},
        token_from=f"/cycles/{slug}",
    )
    assert response.status_code == 400
    assert "Choose a later cycle" in response.text
    client.cookies.clear()
    await sign_in(client, setup.member)
    assert (await client.get(f"/cycles/{slug}/carry-over")).status_code == 404
    response = await post_form(
        client, f"/cycles/{slug}/carry-over", {"recommendation_id": str(setup.rejected.id), "target": closed.slug}
    )
    assert response.status_code == 404
    async with db.session(write=False) as session:
        assert await session.scalar(select(func.count()).where(Recommendation.cycle_id == closed.id)) == 0


async def test_follow_up_spans_cycles(client, db):
    setup = await consolidation(db)
    await sign_in(client, setup.facilitator)
    slug = setup.cycle.slug
    await post_form(client, f"/cycles/{slug}/dossier/publish", {}, token_from=f"/cycles/{slug}")
    later = await make_cycle(db, year=2014, phase=Phase.DRAFTING)
    await add_member(db, setup.facilitator, later, role=MembershipRole.FACILITATOR, group=None)
    await post_form(
        client,
        f"/cycles/{slug}/carry-over",
        {"recommendation_id": str(setup.adopted[0].id), "target": later.slug},
        token_from=f"/cycles/{slug}",
    )
    client.cookies.clear()
    english = {"Accept-Language": "en"}
    overview = await client.get("/follow-up", headers=english)
    assert overview.status_code == 200
    assert f'href="/cycles/{slug}/follow-up"' in overview.text
    board = await client.get(f"/cycles/{slug}/follow-up", headers=english)
    assert "Carried over to 2014" in board.text


async def test_the_facilitators_of_either_cycle_carry_over_and_both_ends_show_the_chain(client, db):
    setup = await consolidation(db)
    slug = setup.cycle.slug
    later = await make_cycle(db, year=2014, phase=Phase.DRAFTING)
    later_facilitator = await make_user(db, language=Language.ENGLISH)
    await add_member(db, later_facilitator, later, role=MembershipRole.FACILITATOR, group=None)
    await sign_in(client, setup.facilitator)  # facilitates 2013 only
    assert later.slug in (await client.get(f"/cycles/{slug}/carry-over")).text
    carried = await post_form(
        client,
        f"/cycles/{slug}/carry-over",
        {"recommendation_id": str(setup.rejected.id), "target": later.slug},
        token_from=f"/cycles/{slug}",
    )
    assert carried.status_code == 303
    assert carried.headers["location"] == f"/recommendations/{setup.rejected.id}"  # 2014 is not theirs to open
    original = await client.get(f"/recommendations/{setup.rejected.id}", headers={"Accept-Language": "en"})
    async with db.session(write=False) as session:
        copy = await session.scalar(select(Recommendation).where(Recommendation.carried_from_id == setup.rejected.id))
    assert "Carried over to 2014" in original.text  # the year, without a link into a cycle they cannot open
    assert f'href="/recommendations/{copy.id}"' not in original.text
    assert (
        await post_form(client, f"/cycles/{slug}/dossier/publish", {}, token_from=f"/cycles/{slug}")
    ).status_code == 303

    client.cookies.clear()
    await sign_in(client, later_facilitator)  # facilitates 2014 only, reads the published 2013
    seen_from_2014 = await client.get(f"/recommendations/{setup.rejected.id}")
    assert f'href="/recommendations/{copy.id}"' in seen_from_2014.text  # theirs to open: a link
    board = await client.get(f"/cycles/{slug}/follow-up")
    assert f'href="/cycles/{slug}/carry-over"' in board.text
    page = await client.get(f"/cycles/{slug}/carry-over")
    assert page.status_code == 200
    response = await post_form(
        client,
        f"/cycles/{slug}/carry-over",
        {"recommendation_id": str(setup.adopted[0].id), "target": later.slug},
        token_from=f"/cycles/{slug}",
    )
    assert response.status_code == 303
    client.cookies.clear()
    overview = await client.get("/follow-up", headers={"Accept-Language": "en"})
    row = overview.text[overview.text.index(f'href="/cycles/{slug}/follow-up"') :].split("</tr>")[0]
    assert "<td>2</td>" in row  # the not adopted one counts too
