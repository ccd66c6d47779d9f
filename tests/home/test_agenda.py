"""The home page says what needs the signed-in person now, per role: what a member has to do, what a
facilitator has to settle, what an authority reviewer still has to answer."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, update

from tests.dossier.support import consolidation
from tests.factories import add_member, make_comment, make_cycle, make_recommendation, make_user
from tests.helpers import post_form, sign_in
from tests.voting.support import cast, voting_room
from workspace.accounts.models import Language, MembershipRole
from workspace.cycles.models import Meeting, Membership, Phase
from workspace.discussion.models import Notification, Report
from workspace.dossier.models import AuthorityAnswer, Implementation, Position
from workspace.recommendations.models import (
    Amendment,
    CoAuthor,
    Recommendation,
    Revision,
    Status,
    Translation,
)

AN_HOUR_AGO = datetime.now(UTC) - timedelta(hours=1)


async def english_member(db, cycle, **fields):
    person = await make_user(db, language=Language.ENGLISH, **fields)
    await add_member(db, person, cycle)
    return person


async def home(client):
    page = await client.get("/")
    assert page.status_code == 200
    return page.text


async def test_a_member_sees_the_ballot_not_cast_yet_and_no_longer_once_cast(client, db):
    room = await voting_room(db)
    voter = room.voters["wal"][0]
    await sign_in(client, voter)
    page = await home(client)
    assert "Ballots still to cast" in page
    assert f'href="/recommendations/{room.recommendation.id}/ballot"' in page
    assert "The vote has no closing date set" in page
    assert (await cast(client, room.recommendation, "for")).status_code == 303
    page = await home(client)
    assert f'href="/recommendations/{room.recommendation.id}/ballot"' not in page
    assert "You have cast a ballot on every recommendation open to you." in page


async def test_a_member_sees_unread_replies_and_mentions_until_read(client, db):
    cycle = await make_cycle(db, phase=Phase.DISCUSSION)
    member = await english_member(db, cycle)
    async with db.transaction() as session:
        params = {"actor": "Annelies", "title": "Un guichet unique"}
        session.add(Notification(user_id=member.id, kind="reply", params=params, link="/"))
        session.add(Notification(user_id=member.id, kind="mention", params=params, link="/"))
        session.add(Notification(user_id=member.id, kind="phase", params={"cycle": "X", "phase": "voting"}))
    await sign_in(client, member)
    page = await home(client)
    assert "Replies and mentions not yet read" in page
    assert "Annelies answered your comment on “Un guichet unique”." in page
    assert "Annelies mentioned you in the discussion of “Un guichet unique”." in page
    assert "moved to a new phase" not in page
    assert (await post_form(client, "/inbox/read", {}, token_from="/inbox")).status_code == 303
    assert "Replies and mentions not yet read" not in await home(client)


async def test_a_coauthor_sees_the_amendment_awaiting_a_decision_until_declined(client, db):
    cycle = await make_cycle(db, phase=Phase.DISCUSSION)
    author = await english_member(db, cycle)
    coauthor = await english_member(db, cycle)
    proposer = await english_member(db, cycle)
    recommendation = await make_recommendation(db, cycle, author=author, title="Un guichet pour tous")
    async with db.transaction() as session:
        session.add(CoAuthor(recommendation_id=recommendation.id, user_id=coauthor.id))
        amendment = Amendment(
            recommendation_id=recommendation.id, author_id=proposer.id, base_revision=1, content={"title": "Autre"}
        )
        session.add(amendment)
    link = f'href="/recommendations/{recommendation.id}/amendments/{amendment.id}"'
    await sign_in(client, coauthor)
    page = await home(client)
    assert "Amendments awaiting your decision" in page
    assert link in page
    client.cookies.clear()
    await sign_in(client, proposer)
    assert link not in await home(client)
    client.cookies.clear()
    await sign_in(client, author)
    assert link in await home(client)
    location = f"/recommendations/{recommendation.id}/amendments/{amendment.id}"
    response = await post_form(client, f"{location}/decline", {"decision_reason": "Hors sujet"}, token_from=location)
    assert response.status_code == 303
    assert link not in await home(client)


async def test_a_coauthor_sees_what_others_changed_since_their_own_last_revision(client, db):
    cycle = await make_cycle(db, phase=Phase.DISCUSSION)
    author = await english_member(db, cycle)
    other = await english_member(db, cycle)
    quiet = await make_recommendation(db, cycle, author=author, title="Rien de neuf ici")
    busy = await make_recommendation(db, cycle, author=author, title="Beaucoup de nouveau")
    async with db.transaction() as session:
        await session.execute(update(Revision).values(created_at=AN_HOUR_AGO))
        session.add(CoAuthor(recommendation_id=busy.id, user_id=other.id, created_at=AN_HOUR_AGO))
        session.add(Revision(recommendation_id=busy.id, number=2, author_id=other.id, content={}))
        session.add(Revision(recommendation_id=busy.id, number=3, author_id=other.id, content={}))
    await make_comment(db, busy, other, "Qu'en pensez-vous ?")
    await make_comment(db, busy, author, "Mon propre commentaire ne compte pas.")
    await make_comment(db, quiet, author, "Ni ici.")
    await sign_in(client, author)
    page = await home(client)
    assert "Recommendations you write" in page
    busy_line = page[page.index("Beaucoup de nouveau") :].split("</li>")[0]
    assert "2 new revisions" in busy_line
    assert "1 new comment" in busy_line
    assert f'href="/recommendations/{busy.id}/history"' in busy_line
    quiet_line = page[page.index("Rien de neuf ici") :].split("</li>")[0]
    assert "nothing new" in quiet_line
    # The other co-author's own revisions are not news to them; the author's first one was before they joined.
    client.cookies.clear()
    await sign_in(client, other)
    other_line = (await home(client)).split("Beaucoup de nouveau")[1].split("</li>")[0]
    assert "nothing new" not in other_line  # the author's own comment counts for the other co-author
    assert "1 new comment" in other_line
    assert "revision" not in other_line


async def test_a_writer_sees_the_translations_of_their_texts_that_are_out_of_date(client, db):
    cycle = await make_cycle(db, phase=Phase.DRAFTING)
    author = await english_member(db, cycle)
    stranger = await english_member(db, cycle)
    recommendation = await make_recommendation(db, cycle, author=author, title="Texte modifié", revision_number=2)
    fresh = await make_recommendation(db, cycle, author=author, title="Texte à jour")
    async with db.transaction() as session:
        session.add(Translation(recommendation_id=recommendation.id, language="nl", content={}, source_revision=1))
        session.add(Translation(recommendation_id=recommendation.id, language="en", content={}, source_revision=2))
        session.add(Translation(recommendation_id=fresh.id, language="nl", content={}, source_revision=1))
    await sign_in(client, author)
    page = await home(client)
    assert "Translations of your texts that are out of date" in page
    assert f'href="/recommendations/{recommendation.id}/translations/nl"' in page
    assert f'href="/recommendations/{recommendation.id}/translations/en"' not in page
    assert f'href="/recommendations/{fresh.id}/translations/nl"' not in page
    client.cookies.clear()
    await sign_in(client, stranger)
    assert "Translations of your texts that are out of date" not in await home(client)


async def test_a_member_sees_the_next_meetings_of_their_group_only(client, db):
    cycle = await make_cycle(db, phase=Phase.DISCUSSION, groups=2)
    member = await english_member(db, cycle)
    mine, theirs = cycle.groups
    async with db.transaction() as session:
        coming = Meeting(group_id=mine.id, held_on=date.today() + timedelta(days=7), place="Tournai")
        past = Meeting(group_id=mine.id, held_on=date.today() - timedelta(days=7), place="Lille")
        elsewhere = Meeting(group_id=theirs.id, held_on=date.today() + timedelta(days=3), place="Gent")
        session.add_all([coming, past, elsewhere])
    await sign_in(client, member)
    page = await home(client)
    assert "Next meetings of your groups" in page
    assert f'href="/meetings/{coming.id}"' in page
    assert "Tournai" in page
    assert f'href="/meetings/{past.id}"' not in page
    assert f'href="/meetings/{elsewhere.id}"' not in page


async def test_a_facilitator_with_no_open_report_is_not_shown_a_count_of_none(client, db):
    room = await voting_room(db, fr=1, wal=1, vl=0)
    await sign_in(client, room.facilitator)
    page = await home(client)
    assert "As facilitator" in page
    assert "open report" not in page


async def test_a_facilitator_sees_open_reports_turnout_and_the_phase(client, db):
    room = await voting_room(db, fr=2, wal=1, vl=1)
    voter = room.voters["fr"][1]
    await sign_in(client, voter)
    await cast(client, room.recommendation, "for")
    async with db.transaction() as session:
        session.add(Report(recommendation_id=room.recommendation.id, reporter_id=voter.id, reason="Doublon"))
        session.add(
            Report(recommendation_id=room.recommendation.id, reporter_id=voter.id, reason="Vu", status="dismissed")
        )
    page = await home(client)
    assert "As facilitator" not in page
    client.cookies.clear()
    await sign_in(client, room.facilitator)
    page = await home(client)
    assert "As facilitator" in page
    assert f'<a href="/cycles/{room.cycle.slug}/moderation">1 open report</a>' in page
    # Voters are the four members and the facilitator; one of them has voted.
    assert "Turnout: 1 of 5 voters have cast at least one ballot." in page
    assert "Phase: Voting" in page
    assert "The vote has no closing date set" in page  # during the vote, the end of the phase is its closing
    assert "Nothing blocks moving on to the next phase." in page


async def test_a_facilitator_is_told_an_empty_ballot_blocks_opening_the_vote(client, db):
    cycle = await make_cycle(db, phase=Phase.DISCUSSION)
    facilitator = await make_user(db, language=Language.ENGLISH)
    await add_member(db, facilitator, cycle, role=MembershipRole.FACILITATOR, group=None)
    draft = await make_recommendation(db, cycle, status=Status.DRAFT)
    await sign_in(client, facilitator)
    page = await home(client)
    assert "No recommendation is submitted: the ballot would be empty." in page
    async with db.transaction() as session:
        await session.execute(
            update(Recommendation).where(Recommendation.id == draft.id).values(status=Status.SUBMITTED)
        )
    assert "the ballot would be empty" not in await home(client)


async def test_a_facilitator_sees_personal_data_findings_that_block_publishing(client, db):
    setup = await consolidation(db)
    flagged = setup.adopted[0]
    async with db.transaction() as session:
        await session.execute(
            update(Recommendation)
            .where(Recommendation.id == flagged.id)
            .values(finding="Appeler Madame Martin au 06 12 34 56 78 pour les détails.")
        )
    await sign_in(client, setup.facilitator)
    page = await home(client)
    assert "1 recommendation holds passages that look like personal data" in page
    assert f'href="/recommendations/{flagged.id}"' in page
    assert "The dossier cannot be published while personal-data findings are not settled." in page


async def reviewer(db, cycle, institution):
    user = await make_user(db, language=Language.ENGLISH, display_name=f"Reviewer of {institution}")
    membership = await add_member(db, user, cycle, role=MembershipRole.AUTHORITY, group=None)
    async with db.transaction() as session:
        await session.execute(update(Membership).where(Membership.id == membership.id).values(institution=institution))
    return user


async def test_an_authority_reviewer_sees_what_awaits_their_answer_and_commitments_due(client, db):
    setup = await consolidation(db)
    mons = await reviewer(db, setup.cycle, "CPAS de Mons")
    await sign_in(client, setup.facilitator)
    slug = setup.cycle.slug
    assert (
        await post_form(client, f"/cycles/{slug}/dossier/publish", {}, token_from=f"/cycles/{slug}")
    ).status_code == 303
    client.cookies.clear()
    await sign_in(client, mons)
    addressed = [r for r in setup.adopted if "CPAS de Mons" in r.institutions]
    others = [r for r in setup.adopted if "CPAS de Mons" not in r.institutions]
    assert addressed
    assert others
    page = await home(client)
    assert "Recommendations awaiting your answer" in page
    for recommendation in addressed:
        assert f"/cycles/{slug}/answers/{recommendation.id}?institution=CPAS%20de%20Mons" in page
    for recommendation in others:
        assert f"/answers/{recommendation.id}" not in page
    assert "not answered yet" in page
    deadline = date.today() + timedelta(days=60)
    async with db.transaction() as session:
        for recommendation in addressed:
            session.add(
                AuthorityAnswer(
                    recommendation_id=recommendation.id,
                    institution="CPAS de Mons",
                    reviewer_id=mons.id,
                    position=Position.AGREES,
                    deadline=deadline,
                    implementation=Implementation.IN_PROGRESS,
                )
            )
    page = await home(client)
    assert "not answered yet" not in page
    assert "committed for" in page
    assert str(deadline.year) in page
    async with db.transaction() as session:
        await session.execute(update(AuthorityAnswer).values(implementation=Implementation.DONE))
    assert "Recommendations awaiting your answer" not in await home(client)


async def test_the_cycle_page_shows_the_phase_dates_and_facilitators_the_moderation_queue(client, db):
    room = await voting_room(db)
    async with db.transaction() as session:
        session.add(Report(recommendation_id=room.recommendation.id, reporter_id=room.voters["fr"][0].id, reason="x"))
    await sign_in(client, room.facilitator)
    assert (
        await post_form(
            client,
            f"/cycles/{room.cycle.slug}/phase",
            {"phase": "consolidation"},
            token_from=f"/cycles/{room.cycle.slug}",
        )
    ).status_code == 303
    page = (await client.get(f"/cycles/{room.cycle.slug}")).text
    assert page.count('class="timeline__date"') == 2  # drafting (the cycle's creation) and consolidation
    assert "Phase “Consolidation” since" in page
    assert "No end date is set" in page
    assert f'href="/cycles/{room.cycle.slug}/moderation">Moderation queue</a>' in page
    assert "1 open report" in page
    client.cookies.clear()
    await sign_in(client, room.voters["fr"][0])
    page = (await client.get(f"/cycles/{room.cycle.slug}")).text
    assert "Moderation queue" not in page
    assert "timeline__date" in page


async def test_in_the_last_phase_a_facilitator_is_not_told_of_a_next_one(client, db):
    cycle = await make_cycle(db, phase=Phase.FOLLOW_UP)
    facilitator = await make_user(db, language=Language.ENGLISH)
    await add_member(db, facilitator, cycle, role=MembershipRole.FACILITATOR, group=None)
    await sign_in(client, facilitator)
    for page in (await home(client), (await client.get(f"/cycles/{cycle.slug}")).text):
        assert "This is the cycle's last phase." in page
        assert "No end date is set" not in page
        assert "Nothing blocks moving on" not in page


async def test_a_finished_cycle_with_nothing_to_do_is_left_out_when_another_needs_the_member(client, db):
    old = await make_cycle(db, phase=Phase.FOLLOW_UP, year=2012, title_en="The old cycle")
    current = await make_cycle(db, phase=Phase.VOTING, year=2013)
    member = await english_member(db, old)
    await add_member(db, member, current)
    await make_recommendation(db, current)
    await sign_in(client, member)
    page = await home(client)
    assert "Ballots still to cast" in page
    assert "In “The old cycle”" not in page


async def test_a_phase_date_later_than_the_next_phase_start_is_left_out(client, db):
    cycle = await make_cycle(db, phase=Phase.DISCUSSION, phase_changed_at=datetime.now(UTC) - timedelta(days=3))
    member = await english_member(db, cycle)
    await sign_in(client, member)
    page = (await client.get(f"/cycles/{cycle.slug}")).text
    assert page.count('class="timeline__date"') == 1
    assert "Phase “Discussion” since" in page


async def _member_with_texts(db, number):
    cycle = await make_cycle(db, phase=Phase.DISCUSSION)
    facilitator = await make_user(db)
    await add_member(db, facilitator, cycle, role=MembershipRole.FACILITATOR)
    member = await english_member(db, cycle)
    for index in range(number):
        recommendation = await make_recommendation(db, cycle, author=member, revision_number=2)
        await make_comment(db, recommendation, facilitator, f"Remarque {index}")
        async with db.transaction() as session:
            session.add(Translation(recommendation_id=recommendation.id, language="nl", content={}, source_revision=1))
            session.add(
                Amendment(recommendation_id=recommendation.id, author_id=facilitator.id, base_revision=1, content={})
            )
            session.add(Meeting(group_id=cycle.groups[0].id, held_on=date.today() + timedelta(days=index + 1)))
            session.add(Report(recommendation_id=recommendation.id, reporter_id=facilitator.id, reason="x"))
    await add_member(db, member, cycle, role=MembershipRole.FACILITATOR, group=None)
    return member


@pytest.mark.without_jobs
async def test_the_home_page_makes_the_same_number_of_queries_for_2_or_10_texts(client, db, app):
    few, many = await _member_with_texts(db, 2), await _member_with_texts(db, 10)
    statements: list[str] = []

    def count(*args, **kwargs):
        if args[2].lstrip().upper().startswith("SELECT"):  # reads only: a session's write-back may or may not fall here
            statements.append(args[2])

    engines = {app.state.db.reader.sync_engine, app.state.db.writer.sync_engine}
    counts = []
    for member in (few, many):
        client.cookies.clear()
        await sign_in(client, member)
        for engine in engines:
            event.listen(engine, "before_cursor_execute", count)
        try:
            page = await home(client)
        finally:
            for engine in engines:
                event.remove(engine, "before_cursor_execute", count)
        assert "Amendments awaiting your decision" in page
        assert "Translations of your texts that are out of date" in page
        assert "As facilitator" in page
        counts.append(len(statements))
        statements.clear()
    assert counts[0] == counts[1], counts


async def test_what_awaits_in_another_cycle_than_the_one_shown_says_which_cycle(client, db):
    setup = await consolidation(db, year=2012, title_en="The published cycle")
    mons = await reviewer(db, setup.cycle, "CPAS de Mons")
    await sign_in(client, setup.facilitator)
    slug = setup.cycle.slug
    assert (
        await post_form(client, f"/cycles/{slug}/dossier/publish", {}, token_from=f"/cycles/{slug}")
    ).status_code == 303
    newer = await make_cycle(db, phase=Phase.DRAFTING, year=2013)
    await add_member(db, mons, newer, role=MembershipRole.AUTHORITY, group=None)
    client.cookies.clear()
    await sign_in(client, mons)
    page = await home(client)
    assert page.index("In “The published cycle”") < page.index("Recommendations awaiting your answer")
