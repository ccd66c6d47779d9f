"""A cycle in its voting phase, with voters on every side of the border."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from httpx import Response
from litestar.testing import AsyncTestClient

from tests.factories import add_member, make_cycle, make_recommendation, make_user
from tests.helpers import post_form
from workspace.accounts.models import Language, MembershipRole, Territory, User
from workspace.core.db import Database
from workspace.cycles.models import Cycle, Phase
from workspace.recommendations.models import Recommendation

TERRITORIES = {"fr": Territory.NORD, "wal": Territory.HAINAUT, "vl": Territory.WEST_VLAANDEREN}


@dataclass
class Room:
    cycle: Cycle
    facilitator: User
    recommendation: Recommendation
    voters: dict[str, list[User]] = field(default_factory=dict)

    def everyone(self) -> list[User]:
        return [user for users in self.voters.values() for user in users]


async def voting_room(
    db: Database, *, fr: int = 2, wal: int = 1, vl: int = 1, phase: Phase = Phase.VOTING, **rules: Any
) -> Room:
    """A cycle with a facilitator and voters from each side; everyone reads the pages in English."""
    cycle = await make_cycle(db, phase=phase, **rules)
    facilitator = await make_user(db, display_name="Fanny Facilitatrice", language=Language.ENGLISH)
    await add_member(db, facilitator, cycle, role=MembershipRole.FACILITATOR, group=None)
    voters: dict[str, list[User]] = {}
    for side, number in (("fr", fr), ("wal", wal), ("vl", vl)):
        voters[side] = []
        for index in range(number):
            user = await make_user(
                db, territory=TERRITORIES[side], display_name=f"Voter {side} {index + 1}", language=Language.ENGLISH
            )
            await add_member(db, user, cycle)
            voters[side].append(user)
    recommendation = await make_recommendation(db, cycle, author=voters["fr"][0] if fr else None)
    return Room(cycle=cycle, facilitator=facilitator, recommendation=recommendation, voters=voters)


async def cast(
    client: AsyncTestClient[Any], recommendation: Recommendation, choice: str, reason: str = "", **extra: str
) -> Response:
    data = {"choice": choice, "reason": reason, **extra}
    return await post_form(
        client, f"/recommendations/{recommendation.id}/ballot", data, token_from=f"/recommendations/{recommendation.id}"
    )
