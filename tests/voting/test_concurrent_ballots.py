"""The whole room votes at once: 250 members send 1,000 ballots concurrently, with changes of mind and
duplicate submissions mixed in. The tally equals, exactly, the last ballot of each member."""

from __future__ import annotations

import asyncio
import random

import httpx
from sqlalchemy import select

from tests.factories import _PASSWORD_HASH, make_recommendation
from tests.helpers import open_session
from tests.voting.support import voting_room
from workspace.accounts.models import TERRITORY_SIDES, ActorKind, Territory, User
from workspace.cycles.models import Membership
from workspace.voting import services
from workspace.voting.models import Ballot, Choice

MEMBERS = 250
TERRITORIES = (Territory.NORD, Territory.SOMME, Territory.HAINAUT, Territory.NAMUR, Territory.GENT)


async def add_members(db, cycle, number: int) -> list[User]:
    users = [
        User(
            email=f"room{index}-{cycle.slug}@example.org",
            display_name=f"Room member {index}",
            territory=TERRITORIES[index % len(TERRITORIES)],
            side=TERRITORY_SIDES[TERRITORIES[index % 5]],
            actor_kind=list(ActorKind)[index % len(ActorKind)],
            language="fr",
            password_hash=_PASSWORD_HASH,
        )
        for index in range(number)
    ]
    async with db.transaction() as session:
        session.add_all(users)
        await session.flush()
        session.add_all(Membership(user_id=user.id, cycle_id=cycle.id, group_id=cycle.groups[0].id) for user in users)
    return users


async def test_a_room_voting_at_once_is_counted_exactly(app, db, settings):
    room = await voting_room(db, fr=0, wal=0, vl=0)
    second = await make_recommendation(db, room.cycle, title="Une deuxième recommandation")
    members = await add_members(db, room.cycle, MEMBERS)
    sessions = [await open_session(db, member) for member in members]
    rng = random.Random(2013)
    choices = [Choice.FOR, Choice.AGAINST, Choice.ABSTAIN, Choice.BLOCK]
    final_first: dict = {}
    final_second: dict = {}
    statuses: list[int] = []

    async def one_member(member: User, session_id: str) -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as client:
            client.cookies.set(settings.session_cookie_name, session_id)
            token = (await client.get("/api/session")).json()["csrf_token"]
            headers = {"x-csrftoken": token}

            async def put(recommendation, choice: Choice) -> None:
                body = {"choice": choice.value, "reason": "Une raison" if choice != Choice.FOR else ""}
                response = await client.put(
                    f"/api/recommendations/{recommendation.id}/ballot", json=body, headers=headers
                )
                statuses.append(response.status_code)

            # A change of mind on the first recommendation: the second ballot is the one that counts.
            first, then = rng.choice(choices), rng.choice(choices)
            await put(room.recommendation, first)
            await put(room.recommendation, then)
            final_first[member.id] = then
            # A double submission on the second: two identical ballots racing each other.
            twice = rng.choice(choices)
            await asyncio.gather(put(second, twice), put(second, twice))
            final_second[member.id] = twice

    async with app.lifespan():
        await asyncio.gather(*(one_member(member, key) for member, key in zip(members, sessions, strict=True)))

    assert len(statuses) == 4 * MEMBERS
    assert set(statuses) == {200}
    async with db.session(write=False) as session:
        stored = {
            (ballot.recommendation_id, ballot.user_id): ballot.choice
            for ballot in (await session.scalars(select(Ballot))).all()
        }
        counted = await services.tallies(session, room.cycle, [room.recommendation, second])
    assert len(stored) == 2 * MEMBERS
    assert stored == {
        **{(room.recommendation.id, member_id): choice for member_id, choice in final_first.items()},
        **{(second.id, member_id): choice for member_id, choice in final_second.items()},
    }
    for recommendation, final in ((room.recommendation, final_first), (second, final_second)):
        tally = counted[recommendation.id]
        for choice in Choice:
            assert tally.overall.choices[choice] == sum(1 for value in final.values() if value == choice)
        assert tally.overall.cast == MEMBERS
