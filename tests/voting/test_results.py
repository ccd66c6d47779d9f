"""Results: hidden until the vote closes (unless live), secret ballots, closing gives each
recommendation its status with the reasons, rules frozen once the vote opens."""

from __future__ import annotations

from sqlalchemy import select

from tests.factories import make_recommendation
from tests.helpers import post_form, sign_in
from tests.voting.support import cast, voting_room
from workspace.core.models import AuditEntry
from workspace.cycles.models import Cycle, Phase
from workspace.recommendations.models import Recommendation, Status


async def vote_as(client, user, recommendation, choice, reason=""):
    client.cookies.clear()
    await sign_in(client, user)
    response = await cast(client, recommendation, choice, reason)
    assert response.status_code == 303


async def close_vote(client, room):
    client.cookies.clear()
    await sign_in(client, room.facilitator)
    return await post_form(
        client, f"/cycles/{room.cycle.slug}/phase", {"phase": "consolidation"}, token_from=f"/cycles/{room.cycle.slug}"
    )


async def status_of(db, recommendation) -> Status:
    async with db.session(write=False) as session:
        return await session.scalar(select(Recommendation.status).where(Recommendation.id == recommendation.id))


async def test_results_stay_hidden_from_everyone_until_the_vote_closes(client, db):
    room = await voting_room(db)
    await vote_as(client, room.voters["fr"][0], room.recommendation, "against", "Trop cher")
    client.cookies.clear()
    await sign_in(client, room.facilitator)
    page = await client.get(f"/recommendations/{room.recommendation.id}")
    assert "1 of 5 voters have voted" in page.text
    assert "Results are shown when the vote closes." in page.text
    assert "Trop cher" not in page.text
    assert "Minority views" not in page.text
    vote = await client.get(f"/cycles/{room.cycle.slug}/vote")
    assert "Trop cher" not in vote.text
    assert "Consensus" not in vote.text


async def test_live_results_show_during_the_vote_when_the_cycle_allows_it(client, db):
    room = await voting_room(db, results_live=True)
    await vote_as(client, room.voters["fr"][0], room.recommendation, "for")
    page = await client.get(f"/recommendations/{room.recommendation.id}")
    assert "So far: would not be adopted." in page.text
    assert "Support in Belgium" in page.text


async def test_closing_the_vote_adopts_what_both_sides_back_and_says_why_for_the_rest(client, db):
    room = await voting_room(db, fr=2, wal=1, vl=1)
    backed = room.recommendation
    one_sided = await make_recommendation(db, room.cycle, title="Un seul côté")
    for voter in room.everyone():
        await vote_as(client, voter, backed, "for")
    for voter in room.voters["fr"]:
        await vote_as(client, voter, one_sided, "for")
    await vote_as(client, room.voters["wal"][0], one_sided, "against", "Pas adapté en Wallonie")
    await vote_as(client, room.voters["vl"][0], one_sided, "block", "Strijdig met het Vlaamse woonbeleid")

    response = await close_vote(client, room)
    assert response.status_code == 303
    assert await status_of(db, backed) == Status.ADOPTED
    assert await status_of(db, one_sided) == Status.NOT_ADOPTED
    page = await client.get(f"/recommendations/{one_sided.id}")
    assert "Not adopted." in page.text
    assert "Support in Belgium 0 %, threshold 50 %." in page.text
    assert "Pas adapté en Wallonie" in page.text
    assert "Strijdig met het Vlaamse woonbeleid" in page.text
    async with db.session(write=False) as session:
        entry = await session.scalar(
            select(AuditEntry).where(AuditEntry.action == "vote.settle", AuditEntry.target_id == str(one_sided.id))
        )
    assert entry.details["failed"] == ["side:be", "blocking"]


async def test_ballots_are_secret_unless_the_cycle_opens_them(client, db):
    room = await voting_room(db)
    await vote_as(client, room.voters["wal"][0], room.recommendation, "against", "Trop cher")
    await close_vote(client, room)
    page = await client.get(f"/recommendations/{room.recommendation.id}")
    assert "Trop cher" in page.text
    assert "Voter wal 1" not in page.text
    assert "Who voted what" not in page.text

    open_room = await voting_room(db, ballots_open=True)
    await vote_as(client, open_room.voters["wal"][0], open_room.recommendation, "against", "Trop cher")
    await close_vote(client, open_room)
    page = await client.get(f"/recommendations/{open_room.recommendation.id}")
    assert "Who voted what" in page.text
    assert "Voter wal 1" in page.text


async def test_ballots_can_no_longer_change_once_the_vote_is_closed(client, db):
    room = await voting_room(db)
    voter = room.voters["fr"][0]
    await vote_as(client, voter, room.recommendation, "for")
    await close_vote(client, room)
    client.cookies.clear()
    await sign_in(client, voter)
    await cast(client, room.recommendation, "against", "Changed my mind")
    page = await client.get(f"/recommendations/{room.recommendation.id}")
    assert "The vote is not open" in page.text
    assert "Your ballot: For." in page.text


async def test_the_results_page_ranks_by_cross_border_consensus_on_request(client, db):
    room = await voting_room(db, fr=2, wal=2, vl=0)
    lopsided = room.recommendation
    united = await make_recommendation(db, room.cycle, title="Ce qui unit la frontière")
    for voter in room.everyone():
        await vote_as(client, voter, united, "for")
    for voter in room.voters["fr"]:
        await vote_as(client, voter, lopsided, "for")
    await vote_as(client, room.voters["wal"][0], lopsided, "against")
    await close_vote(client, room)
    page = await client.get(f"/cycles/{room.cycle.slug}/vote?order=consensus")
    assert page.status_code == 200
    assert page.text.index("Ce qui unit la frontière") < page.text.index(lopsided.title)
    assert "cross-border consensus score" in page.text


async def test_a_recommendation_nobody_voted_on_ranks_after_every_voted_one_and_says_no_ballots(client, db):
    room = await voting_room(db, fr=2, wal=2, vl=0)
    rejected = room.recommendation
    unvoted = await make_recommendation(db, room.cycle, title="Personne ne s'est prononcé")
    for voter in room.everyone():
        await vote_as(client, voter, rejected, "against")
    await close_vote(client, room)
    page = await client.get(f"/cycles/{room.cycle.slug}/vote?order=consensus")
    assert page.text.index(rejected.title) < page.text.index("Personne ne s&#39;est prononcé")
    row = page.text[page.text.index("Personne ne s&#39;est prononcé") :].split("</tr>")[0]
    assert 'data-label="Consensus">no ballots</td>' in row  # not "50 %" of nobody
    shown = await client.get(f"/recommendations/{unvoted.id}")
    assert "Cross-border consensus: no ballots yet." in shown.text


async def test_a_facilitator_sets_the_rules_before_the_vote_and_they_freeze_when_it_opens(client, db):
    room = await voting_room(db, phase=Phase.DISCUSSION)
    await sign_in(client, room.facilitator)
    rules_path = f"/cycles/{room.cycle.slug}/voting-rules"
    chosen = {
        "eligibility": "cycle",
        "quorum": "40",
        "adoption_threshold": "66,67",
        "side_split": "fr_wal_vl",
        "side_threshold": "50",
        "blocking": "reported",
        "results": "live",
        "ballots": "secret",
    }
    response = await post_form(client, rules_path, chosen, token_from=rules_path)
    assert response.status_code == 303
    bad = await post_form(client, rules_path, {**chosen, "quorum": "lots"}, token_from=rules_path)
    assert bad.status_code == 400
    assert 'id="quorum-error"' in bad.text
    assert 'value="lots"' in bad.text

    opened = await post_form(
        client, f"/cycles/{room.cycle.slug}/phase", {"phase": "voting"}, token_from=f"/cycles/{room.cycle.slug}"
    )
    assert opened.status_code == 303
    frozen = await post_form(client, rules_path, {**chosen, "quorum": "90"}, token_from=rules_path)
    assert frozen.status_code == 409
    assert "frozen" in frozen.text
    async with db.session(write=False) as session:
        cycle = await session.get(Cycle, room.cycle.id)
    assert (cycle.phase, cycle.quorum, cycle.adoption_threshold) == (Phase.VOTING, 0.4, 0.6667)
    assert cycle.side_split == "fr_wal_vl"
    assert not cycle.blocking_blocks
    assert cycle.results_live


async def test_only_facilitators_set_rules_or_move_the_phase(client, db):
    room = await voting_room(db, phase=Phase.DISCUSSION)
    await sign_in(client, room.voters["fr"][0])
    rules_path = f"/cycles/{room.cycle.slug}/voting-rules"
    response = await post_form(client, rules_path, {"quorum": "0"}, token_from=rules_path)
    assert response.status_code == 404
    response = await post_form(
        client, f"/cycles/{room.cycle.slug}/phase", {"phase": "voting"}, token_from=f"/cycles/{room.cycle.slug}"
    )
    assert response.status_code == 404
    async with db.session(write=False) as session:
        assert (await session.get(Cycle, room.cycle.id)).phase == Phase.DISCUSSION


async def test_a_stale_phase_button_changes_nothing(client, db):
    room = await voting_room(db)
    await sign_in(client, room.facilitator)
    response = await post_form(
        client, f"/cycles/{room.cycle.slug}/phase", {"phase": "voting"}, token_from=f"/cycles/{room.cycle.slug}"
    )
    assert response.status_code == 303
    page = await client.get(response.headers["location"])
    assert "already moved on" in page.text
    async with db.session(write=False) as session:
        assert (await session.get(Cycle, room.cycle.id)).phase == Phase.VOTING


async def test_the_ballot_paper_shows_each_proposal_folded_so_a_member_votes_on_what_they_read(client, db):
    room = await voting_room(db)
    await make_recommendation(
        db, room.cycle, title="Un guichet commun", proposal="Ouvrir **un guichet** à chaque poste-frontière."
    )
    await sign_in(client, room.voters["fr"][0])
    paper = await client.get(f"/cycles/{room.cycle.slug}/vote")
    assert paper.status_code == 200
    folded = paper.text[paper.text.index('<details class="ballot-proposal">') :].split("</details>")
    assert any("Ouvrir <strong>un guichet</strong> à chaque poste-frontière." in part for part in folded)
    assert "Read the proposal" in paper.text or "Lire la proposition" in paper.text


async def test_the_breakdown_by_kind_of_actor_has_a_chart_like_the_sides(client, db):
    room = await voting_room(db, results_live=True)
    await vote_as(client, room.voters["fr"][0], room.recommendation, "for")
    await vote_as(client, room.voters["wal"][0], room.recommendation, "against")
    page = (await client.get(f"/recommendations/{room.recommendation.id}")).text
    table = page[page.index("Ballots by kind of actor") :].split("</table>")[0]
    assert '<th scope="col">Chart</th>' in table
    # The picture says what it shows to a screen reader; the figures stay in the row beside it.
    assert 'role="img" aria-label="Social worker: 1 for, 1 against, 0 abstaining, 0 blocking"' in table
