"""Lists of recommendations (an axis, the search, the ballot paper) say for each its status, comments, open
amendments and languages, and the vote's support and consensus once its results are visible; a member
filters and orders them with a plain form whose choices stay in the URL, never seeing more than before."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from sqlalchemy import update

from tests.factories import add_member, make_comment, make_cycle, make_recommendation, make_user
from tests.helpers import sign_in
from tests.voting.support import cast, voting_room
from workspace.accounts.models import Language
from workspace.cycles.models import Cycle, Phase
from workspace.recommendations.models import Amendment, AmendmentStatus, Status, Translation

_LINK = re.compile(r'<h3><a href="/recommendations/([0-9a-f-]{36})(?:/ballot)?">')
_SEARCH_LINK = re.compile(r'<h3 lang="[a-z]{2}"><a href="/recommendations/([0-9a-f-]{36})">')


def listed(html: str) -> list[str]:
    return _LINK.findall(html) or _SEARCH_LINK.findall(html)


async def english_member(db, cycle, **fields):
    person = await make_user(db, language=Language.ENGLISH, **fields)
    await add_member(db, person, cycle)
    return person


async def page(client, path: str, **params: str) -> str:
    response = await client.get(path + ("?" + urlencode(params) if params else ""))
    assert response.status_code == 200, response.text[:300]
    return response.text


async def test_a_member_sees_status_comments_open_amendments_and_languages_on_the_axis_page(client, db):
    cycle = await make_cycle(db)
    member = await english_member(db, cycle)
    other = await english_member(db, cycle)
    recommendation = await make_recommendation(db, cycle, author=member, status=Status.DRAFT)
    await make_comment(db, recommendation, other, "Bonne idée")
    await make_comment(db, recommendation, other, "Et à Kortrijk ?")
    await make_comment(db, recommendation, other, "Supprimé", deleted_at=recommendation.created_at)
    async with db.transaction() as session:
        session.add(Translation(recommendation_id=recommendation.id, language="nl", content={}, source_revision=1))
        session.add(Amendment(recommendation_id=recommendation.id, author_id=other.id, base_revision=1, content={}))
        session.add(
            Amendment(
                recommendation_id=recommendation.id,
                author_id=other.id,
                base_revision=1,
                content={},
                status=AmendmentStatus.DECLINED,
            )
        )
    await sign_in(client, member)
    html = await page(client, f"/cycles/{cycle.slug}/axes/p")
    assert "Draft" in html
    assert "2 comments" in html, "a deleted comment is not counted"
    assert "1 open amendment" in html
    assert "Languages:</span> French, Dutch" in html
    assert "Support:" not in html, "no vote yet"


async def test_a_member_filters_the_axis_page_to_dutch_recommendations(client, db):
    cycle = await make_cycle(db)
    member = await english_member(db, cycle)
    dutch = await make_recommendation(db, cycle, author=member, language="nl", title="Eén loket")
    translated = await make_recommendation(db, cycle, author=member, title="Un guichet traduit")
    french = await make_recommendation(db, cycle, author=member, title="Un guichet français")
    async with db.transaction() as session:
        session.add(Translation(recommendation_id=translated.id, language="nl", content={}, source_revision=1))
    await sign_in(client, member)
    html = await page(client, f"/cycles/{cycle.slug}/axes/p", language="nl")
    assert set(listed(html)) == {str(dutch.id), str(translated.id)}
    assert str(french.id) not in listed(html)
    assert '<option value="nl" selected>' in html, "the choice stays in the form"
    assert "2 recommendations match these filters." in html
    everything = await page(client, f"/cycles/{cycle.slug}/axes/p")
    assert len(listed(everything)) == 3


async def test_a_member_filters_the_axis_page_by_working_group_and_status(client, db):
    cycle = await make_cycle(db, groups=2)
    member = await english_member(db, cycle)
    first, second = cycle.groups
    ours = await make_recommendation(db, cycle, author=member, group_id=first.id)
    theirs = await make_recommendation(db, cycle, author=member, group_id=second.id)
    draft = await make_recommendation(db, cycle, author=member, group_id=second.id, status=Status.DRAFT)
    await sign_in(client, member)
    path = f"/cycles/{cycle.slug}/axes/p"
    assert listed(await page(client, path, group=str(first.id))) == [str(ours.id)]
    assert set(listed(await page(client, path, group=str(second.id)))) == {str(theirs.id), str(draft.id)}
    assert listed(await page(client, path, group=str(second.id), status="draft")) == [str(draft.id)]
    assert len(listed(await page(client, path, group="not-a-group", status="nonsense"))) == 3, (
        "unknown values are dropped"
    )


async def test_a_group_or_cycle_filter_never_shows_what_the_reader_may_not_see(client, db):
    ours = await make_cycle(db)
    private = await make_cycle(db, phase=Phase.DISCUSSION)
    published = await make_cycle(db, phase=Phase.PUBLISHED)
    member = await english_member(db, ours)
    hidden = await make_recommendation(db, private, title="Un texte privé")
    draft_of_published = await make_recommendation(db, published, status=Status.SUBMITTED)
    adopted = await make_recommendation(db, published, status=Status.ADOPTED)
    await sign_in(client, member)
    assert str(hidden.id) not in await page(client, "/search", group=str(private.groups[0].id))
    html = await page(client, "/search", group=str(published.groups[0].id))
    assert listed(html) == [str(adopted.id)]
    assert str(draft_of_published.id) not in html
    search_page = await page(client, "/search")
    assert private.groups[0].name not in search_page, "another cycle's group is not offered"
    axis_of_other = await client.get(f"/cycles/{private.slug}/axes/p", params={"group": str(private.groups[0].id)})
    assert axis_of_other.status_code == 404


async def test_a_member_orders_the_axis_page_by_newest_most_discussed_and_status(client, db):
    cycle = await make_cycle(db)
    member = await english_member(db, cycle)
    quiet = await make_recommendation(db, cycle, author=member, reference="P1", status=Status.SUBMITTED)
    talked = await make_recommendation(db, cycle, author=member, reference="P2", status=Status.SUBMITTED)
    draft = await make_recommendation(db, cycle, author=member, reference="P3", status=Status.DRAFT)
    for index in range(3):
        await make_comment(db, talked, member, f"Remarque {index}")
    await make_comment(db, draft, member, "Une seule")
    await sign_in(client, member)
    path = f"/cycles/{cycle.slug}/axes/p"
    assert listed(await page(client, path)) == [str(quiet.id), str(talked.id), str(draft.id)]
    assert listed(await page(client, path, order="newest")) == [str(draft.id), str(talked.id), str(quiet.id)]
    assert listed(await page(client, path, order="discussed")) == [str(talked.id), str(draft.id), str(quiet.id)]
    assert listed(await page(client, path, order="status")) == [str(draft.id), str(quiet.id), str(talked.id)]
    html = await page(client, path, order="discussed")
    assert '<option value="discussed" selected>' in html
    assert 'value="support"' not in html, "no ordering by results before they are visible"
    assert listed(await page(client, path, order="support")) == [str(quiet.id), str(talked.id), str(draft.id)]


async def test_support_and_consensus_appear_on_the_axis_page_once_the_vote_is_closed(client, db):
    room = await voting_room(db, fr=2, wal=1, vl=1)
    weak = await make_recommendation(db, room.cycle, author=room.voters["fr"][0], reference="P9")
    unvoted = await make_recommendation(db, room.cycle, author=room.voters["fr"][0], reference="P8")
    for voter in room.everyone():
        await sign_in(client, voter)
        assert (await cast(client, room.recommendation, "for")).status_code == 303
        choice = "for" if voter in room.voters["fr"] else "against"
        assert (await cast(client, weak, choice)).status_code == 303
        client.cookies.clear()
    member = room.voters["wal"][0]
    await sign_in(client, member)
    path = f"/cycles/{room.cycle.slug}/axes/p"
    during = await page(client, path)
    assert "Support:" not in during, "hidden while the vote is open"
    assert 'value="support"' not in await page(client, path, order="support"), "not offered, the axis order kept"
    async with db.transaction() as session:
        await session.execute(update(Cycle).where(Cycle.id == room.cycle.id).values(phase=Phase.CONSOLIDATION))
    after = await page(client, path, order="consensus")
    assert "Support: 100 %" in after
    assert "Support: 50 %" in after
    assert listed(after) == [str(room.recommendation.id), str(weak.id), str(unvoted.id)]  # nobody voted: last
    assert "Cross-border consensus: no ballots yet." in after
    assert listed(await page(client, path, order="support")) == [
        str(room.recommendation.id),
        str(weak.id),
        str(unvoted.id),
    ]
    assert '<option value="consensus" selected>' in after


async def test_a_member_filters_the_search_by_working_group_and_orders_it_by_most_discussed(client, db):
    cycle = await make_cycle(db, groups=2)
    member = await english_member(db, cycle)
    first, second = cycle.groups
    ours = await make_recommendation(db, cycle, author=member, group_id=first.id, finding="Un logement passerelle.")
    talked = await make_recommendation(db, cycle, author=member, group_id=second.id, finding="Un logement passerelle.")
    await make_recommendation(db, cycle, author=member, group_id=second.id, finding="Autre chose.")
    await make_comment(db, talked, member, "Oui")
    await sign_in(client, member)
    html = await page(client, "/search", q="passerelle", group=str(first.id))
    assert listed(html) == [str(ours.id)]
    assert f'<option value="{first.id}" selected>' in html
    ordered = await page(client, "/search", q="passerelle", order="discussed")
    assert listed(ordered) == [str(talked.id), str(ours.id)]
    assert "1 comment" in ordered


async def test_the_ballot_paper_lists_facts_and_filters_by_axis_and_language(client, db):
    room = await voting_room(db)
    dutch = await make_recommendation(db, room.cycle, axis_code="G", language="nl", title="Een grensloket")
    member = room.voters["vl"][0]
    await sign_in(client, member)
    html = await page(client, f"/cycles/{room.cycle.slug}/vote")
    assert set(listed(html)) == {str(room.recommendation.id), str(dutch.id)}
    assert "0 comments" in html
    assert listed(await page(client, f"/cycles/{room.cycle.slug}/vote", language="nl")) == [str(dutch.id)]
    assert listed(await page(client, f"/cycles/{room.cycle.slug}/vote", axis="p")) == [str(room.recommendation.id)]


@pytest.mark.without_jobs
async def test_the_axis_page_with_facts_makes_the_same_number_of_queries_for_2_or_12_recommendations(client, db, app):
    from sqlalchemy import event

    member = await make_user(db, language=Language.ENGLISH)
    counts = []
    for number in (2, 12):
        cycle = await make_cycle(db)
        await add_member(db, member, cycle)
        for _ in range(number):
            recommendation = await make_recommendation(db, cycle, author=member)
            await make_comment(db, recommendation, member, "Remarque")
            async with db.transaction() as session:
                session.add(
                    Translation(recommendation_id=recommendation.id, language="nl", content={}, source_revision=1)
                )
        client.cookies.clear()
        await sign_in(client, member)
        statements: list[str] = []

        def count(*args, statements=statements, **kwargs):
            if args[2].lstrip().upper().startswith("SELECT"):
                statements.append(args[2])

        engines = {app.state.db.reader.sync_engine, app.state.db.writer.sync_engine}
        for engine in engines:
            event.listen(engine, "before_cursor_execute", count)
        try:
            html = await page(client, f"/cycles/{cycle.slug}/axes/p", order="discussed")
        finally:
            for engine in engines:
                event.remove(engine, "before_cursor_execute", count)
        assert len(listed(html)) == number
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
