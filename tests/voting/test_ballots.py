"""Casting ballots from the web pages: one per member, changeable until the vote closes, refused with a
clear message outside the rules, and never counted for someone else."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.factories import add_member, make_cycle, make_recommendation, make_user
from tests.helpers import sign_in
from tests.voting.support import cast, voting_room
from workspace.accounts.models import Language, MembershipRole
from workspace.cycles.models import Eligibility, Membership, Phase
from workspace.voting.models import Ballot, Choice


async def ballots(db, recommendation) -> list[Ballot]:
    async with db.session(write=False) as session:
        return list((await session.scalars(select(Ballot).where(Ballot.recommendation_id == recommendation.id))).all())


async def test_a_member_casts_a_ballot_and_sees_it_on_the_recommendation_page(client, db):
    room = await voting_room(db)
    voter = room.voters["wal"][0]
    await sign_in(client, voter)
    page = await client.get(f"/recommendations/{room.recommendation.id}")
    assert 'id="vote"' in page.text
    assert "Cast my ballot" in page.text

    response = await cast(client, room.recommendation, "for")
    assert response.status_code == 303
    page = await client.get(f"/recommendations/{room.recommendation.id}")
    assert "Your ballot has been counted" in page.text
    assert "Your ballot: For." in page.text
    [ballot] = await ballots(db, room.recommendation)
    assert (ballot.user_id, ballot.choice, ballot.side) == (voter.id, Choice.FOR, voter.side)


async def test_a_member_can_change_their_ballot_and_it_still_counts_once(client, db):
    room = await voting_room(db)
    await sign_in(client, room.voters["fr"][1])
    await cast(client, room.recommendation, "for")
    await cast(client, room.recommendation, "against", "Trop coûteux pour les communes.")
    [ballot] = await ballots(db, room.recommendation)
    assert ballot.choice == Choice.AGAINST
    assert ballot.reason == "Trop coûteux pour les communes."


async def test_a_member_cannot_vote_twice_by_clicking_twice(client, db):
    room = await voting_room(db)
    await sign_in(client, room.voters["vl"][0])
    for _ in range(3):
        assert (await cast(client, room.recommendation, "abstain")).status_code == 303
    assert len(await ballots(db, room.recommendation)) == 1


async def test_a_blocking_objection_without_reason_comes_back_with_the_error_beside_the_field(client, db):
    room = await voting_room(db)
    await sign_in(client, room.voters["fr"][0])
    response = await cast(client, room.recommendation, "block", "   ")
    assert response.status_code == 400
    assert 'id="reason-error"' in response.text
    assert 'value="block" checked' in response.text
    assert await ballots(db, room.recommendation) == []


async def test_an_unknown_choice_is_refused_and_nothing_is_counted(client, db):
    room = await voting_room(db)
    await sign_in(client, room.voters["fr"][0])
    response = await cast(client, room.recommendation, "maybe", "Je garde mon texte")
    assert response.status_code == 400
    assert 'id="choice-error"' in response.text
    assert "Je garde mon texte" in response.text
    assert await ballots(db, room.recommendation) == []


async def test_ballots_are_refused_outside_the_voting_phase(client, db):
    for phase in (Phase.DISCUSSION, Phase.CONSOLIDATION):
        room = await voting_room(db, phase=phase)
        await sign_in(client, room.voters["fr"][0])
        response = await cast(client, room.recommendation, "for")
        assert response.status_code == 303
        page = await client.get(response.headers["location"])
        assert "The vote is not open" in page.text
        assert await ballots(db, room.recommendation) == []


async def test_a_recommendation_of_another_cycle_is_out_of_reach(client, db):
    room = await voting_room(db)
    other_cycle = await make_cycle(db, phase=Phase.VOTING)
    elsewhere = await make_recommendation(db, other_cycle)
    await sign_in(client, room.voters["fr"][0])
    assert (await client.get(f"/recommendations/{elsewhere.id}/ballot")).status_code == 404
    response = await cast(client, elsewhere, "for")
    assert response.status_code == 404
    assert await ballots(db, elsewhere) == []


async def test_an_authority_reviewer_reads_but_does_not_vote(client, db):
    room = await voting_room(db)
    reviewer = await make_user(db, language=Language.ENGLISH)
    await add_member(db, reviewer, room.cycle, role=MembershipRole.AUTHORITY, group=None)
    await sign_in(client, reviewer)
    page = await client.get(f"/recommendations/{room.recommendation.id}")
    assert "You are not among the voters" in page.text
    assert "Cast my ballot" not in page.text
    await cast(client, room.recommendation, "for")
    assert await ballots(db, room.recommendation) == []


async def test_when_the_group_votes_members_of_other_groups_cannot(client, db):
    room = await voting_room(db, eligibility=Eligibility.GROUP, groups=2)
    outsider = await make_user(db)
    await add_member(db, outsider, room.cycle, group=room.cycle.groups[1])
    await sign_in(client, outsider)
    await cast(client, room.recommendation, "for")
    assert await ballots(db, room.recommendation) == []


async def test_a_suspended_member_cannot_vote(client, db):
    room = await voting_room(db)
    voter = room.voters["fr"][1]
    async with db.transaction() as session:
        membership = await session.scalar(select(Membership).where(Membership.user_id == voter.id))
        membership.suspended_at = func.now()
    await sign_in(client, voter)
    await cast(client, room.recommendation, "for")
    assert await ballots(db, room.recommendation) == []


async def test_a_forged_ballot_for_someone_else_counts_only_for_the_signed_in_member(client, db):
    room = await voting_room(db)
    me, victim = room.voters["fr"]
    await sign_in(client, me)
    await cast(client, room.recommendation, "against", "Non", user_id=str(victim.id))
    [ballot] = await ballots(db, room.recommendation)
    assert ballot.user_id == me.id


async def test_a_ballot_without_csrf_token_is_refused(client, db):
    room = await voting_room(db)
    await sign_in(client, room.voters["fr"][0])
    response = await client.post(f"/recommendations/{room.recommendation.id}/ballot", data={"choice": "for"})
    assert response.status_code == 403
    assert await ballots(db, room.recommendation) == []


async def test_a_visitor_must_sign_in_to_vote(client, db):
    room = await voting_room(db)
    response = await client.get(f"/recommendations/{room.recommendation.id}/ballot", follow_redirects=False)
    assert response.status_code in (302, 303, 307)
    assert response.headers["location"].startswith("/login")


async def test_voting_with_htmx_swaps_the_vote_block_in_place(client, db):
    room = await voting_room(db)
    await sign_in(client, room.voters["wal"][0])
    page = await client.get(f"/recommendations/{room.recommendation.id}")
    import re

    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
    response = await client.post(
        f"/recommendations/{room.recommendation.id}/ballot",
        data={"choice": "block", "reason": ""},
        headers={"HX-Request": "true", "x-csrftoken": token},
    )
    assert response.status_code == 400
    assert response.text.lstrip().startswith('<section id="vote"')
    response = await client.post(
        f"/recommendations/{room.recommendation.id}/ballot",
        data={"choice": "block", "reason": "Contraire au droit belge"},
        headers={"HX-Request": "true", "x-csrftoken": token},
    )
    assert response.status_code == 200
    assert "Your ballot: Blocking objection." in response.text
