"""Factories: people, cycles, groups and recommendations, written straight to the test's database."""

from __future__ import annotations

import itertools
from typing import Any

from workspace.accounts.models import TERRITORY_SIDES, ActorKind, Language, MembershipRole, Territory, User
from workspace.core.db import Database
from workspace.core.passwords import hash_password_sync
from workspace.cycles.models import Axis, Cycle, Membership, Phase, WorkingGroup
from workspace.cycles.services import SEEDED_AXES
from workspace.discussion.models import Comment
from workspace.recommendations.models import TEXT_FIELDS, Recommendation, Revision, Status

PASSWORD = "a-long-enough-password"
_PASSWORD_HASH = hash_password_sync(PASSWORD)
_sequence = itertools.count(1)


async def make_user(db: Database, **fields: Any) -> User:
    number = next(_sequence)
    territory = fields.pop("territory", Territory.NORD)
    defaults: dict[str, Any] = {
        "email": f"person{number}@example.org",
        "display_name": f"Person {number}",
        "organisation": "CCAS de Lille",
        "territory": territory,
        "side": TERRITORY_SIDES.get(territory),
        "actor_kind": ActorKind.SOCIAL_WORKER,
        "language": Language.FRENCH,
        "password_hash": _PASSWORD_HASH,
    }
    user = User(**{**defaults, **fields})
    async with db.transaction() as session:
        session.add(user)
    return user


async def make_cycle(db: Database, *, phase: Phase = Phase.DRAFTING, groups: int = 1, **fields: Any) -> Cycle:
    number = next(_sequence)
    cycle = Cycle(
        **{
            "year": 2013,
            "slug": f"cycle-{number}",
            "title_fr": f"Accès au logement {number}",
            "title_nl": f"Toegang tot huisvesting {number}",
            "phase": phase,
            **fields,
        }
    )
    for position, (code, fr, nl, en, *_descriptions) in enumerate(SEEDED_AXES):
        cycle.axes.append(Axis(code=code, position=position, name_fr=fr, name_nl=nl, name_en=en))
    for index in range(groups):
        cycle.groups.append(WorkingGroup(name=f"Groupe {number}-{index + 1}"))
    async with db.transaction() as session:
        session.add(cycle)
    return cycle


async def add_member(
    db: Database,
    user: User,
    cycle: Cycle,
    *,
    role: MembershipRole = MembershipRole.MEMBER,
    group: WorkingGroup | bool | None = True,
) -> Membership:
    """Put a person in a cycle; by default in its first working group."""
    group_id = None
    if group is True:
        group_id = cycle.groups[0].id if cycle.groups else None
    elif isinstance(group, WorkingGroup):
        group_id = group.id
    membership = Membership(user_id=user.id, cycle_id=cycle.id, group_id=group_id, role=role)
    async with db.transaction() as session:
        session.add(membership)
    return membership


async def make_recommendation(
    db: Database, cycle: Cycle, *, author: User | None = None, axis_code: str = "P", **fields: Any
) -> Recommendation:
    axis = next(axis for axis in cycle.axes if axis.code == axis_code)
    number = next(_sequence)
    recommendation = Recommendation(
        **{
            "cycle_id": cycle.id,
            "axis_id": axis.id,
            "author_id": author.id if author else None,
            "group_id": cycle.groups[0].id if cycle.groups else None,
            "status": Status.SUBMITTED,
            "title": f"Un guichet unique transfrontalier {number}",
            "finding": "Les jeunes frappent à quatre portes.",
            "proposal": "Ouvrir un guichet commun.",
            **fields,
        }
    )
    async with db.transaction() as session:
        session.add(recommendation)
        await session.flush()
        content = {name: getattr(recommendation, name) for name in TEXT_FIELDS}
        session.add(
            Revision(recommendation_id=recommendation.id, number=1, author_id=recommendation.author_id, content=content)
        )
    return recommendation


async def make_comment(db: Database, recommendation: Recommendation, author: User, body: str, **fields: Any) -> Comment:
    comment = Comment(recommendation_id=recommendation.id, author_id=author.id, body=body, **fields)
    async with db.transaction() as session:
        session.add(comment)
    return comment
