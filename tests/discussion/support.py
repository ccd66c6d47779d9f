"""A recommendation under discussion, with people in every role."""

from __future__ import annotations

from dataclasses import dataclass

from tests.factories import add_member, make_cycle, make_recommendation, make_user
from workspace.accounts.models import Language, MembershipRole, User
from workspace.core.db import Database
from workspace.cycles.models import Cycle, Phase
from workspace.recommendations.models import Recommendation


@dataclass
class Room:
    cycle: Cycle
    recommendation: Recommendation
    author: User
    member: User
    facilitator: User
    outsider: User


async def discussion_room(db: Database, *, phase: Phase = Phase.DISCUSSION) -> Room:
    """Everyone reads the pages in English."""
    cycle = await make_cycle(db, phase=phase)
    english = {"language": Language.ENGLISH}
    author = await make_user(db, display_name="Amélie Auteur", **english)
    member = await make_user(db, display_name="Marc Membre", **english)
    facilitator = await make_user(db, display_name="Fanny Facilitatrice", **english)
    outsider = await make_user(db, display_name="Olivier Outsider", **english)
    await add_member(db, author, cycle)
    await add_member(db, member, cycle)
    await add_member(db, facilitator, cycle, role=MembershipRole.FACILITATOR, group=None)
    other = await make_cycle(db, phase=phase)
    await add_member(db, outsider, other)
    recommendation = await make_recommendation(db, cycle, author=author)
    return Room(cycle, recommendation, author, member, facilitator, outsider)
