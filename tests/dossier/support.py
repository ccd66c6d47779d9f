"""A cycle whose vote has closed: adopted and not adopted recommendations, ballots from both sides."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.factories import add_member, make_cycle, make_recommendation, make_user
from workspace.accounts.models import Language, MembershipRole, Territory, User
from workspace.core.db import Database
from workspace.cycles.models import Cycle, Phase
from workspace.recommendations.models import Recommendation, Status, Translation
from workspace.voting.models import Ballot, Choice


@dataclass
class Consolidation:
    cycle: Cycle
    facilitator: User
    member: User
    adopted: list[Recommendation]
    rejected: Recommendation
    voters: list[User] = field(default_factory=list)


async def cast_ballots(db: Database, recommendation: Recommendation, ballots: list[tuple[User, Choice, str]]) -> None:
    async with db.transaction() as session:
        for user, choice, reason in ballots:
            session.add(
                Ballot(
                    recommendation_id=recommendation.id,
                    user_id=user.id,
                    choice=choice,
                    reason=reason,
                    side=user.side,
                    actor_kind=user.actor_kind,
                )
            )


async def consolidation(db: Database, *, phase: Phase = Phase.CONSOLIDATION, **cycle_fields: Any) -> Consolidation:
    """Three adopted recommendations (two in P, one in G) and one not adopted; people read in English."""
    cycle = await make_cycle(db, phase=phase, theme_fr="Le logement des jeunes", **cycle_fields)
    facilitator = await make_user(db, display_name="Fanny Facilitatrice", language=Language.ENGLISH)
    await add_member(db, facilitator, cycle, role=MembershipRole.FACILITATOR, group=None)
    member = await make_user(
        db,
        display_name="Marc Membre",
        language=Language.ENGLISH,
        organisation="CPAS de Mons",
        territory=Territory.HAINAUT,
    )
    await add_member(db, member, cycle)
    fr_voter = await make_user(db, territory=Territory.NORD, organisation="CCAS de Lille")
    be_voter = await make_user(db, territory=Territory.WEST_VLAANDEREN, organisation="OCMW Kortrijk")
    for voter in (fr_voter, be_voter):
        await add_member(db, voter, cycle)
    first = await make_recommendation(
        db,
        cycle,
        author=member,
        status=Status.ADOPTED,
        title="Un guichet unique pour les jeunes",
        institutions="CPAS de Mons; Département du Nord",
        scheme_fr="Le CCAS",
        scheme_wal="Le CPAS",
        scheme_vl="Het OCMW",
        harmonisation="Un seul formulaire",
    )
    second = await make_recommendation(
        db,
        cycle,
        author=member,
        status=Status.ADOPTED,
        title="Former ensemble les travailleurs sociaux",
        institutions="Province de Hainaut",
    )
    third = await make_recommendation(
        db,
        cycle,
        author=member,
        status=Status.ADOPTED,
        axis_code="G",
        title="Une conférence des élus frontaliers",
        institutions="Département du Nord",
    )
    rejected = await make_recommendation(
        db, cycle, author=member, status=Status.NOT_ADOPTED, title="Une allocation unique transfrontalière"
    )
    for recommendation in (first, second, third):
        await cast_ballots(db, recommendation, [(fr_voter, Choice.FOR, ""), (be_voter, Choice.FOR, "")])
    await cast_ballots(db, first, [(member, Choice.AGAINST, "Trop cher pour les petites communes")])
    await cast_ballots(db, rejected, [(fr_voter, Choice.FOR, ""), (be_voter, Choice.BLOCK, "Onhaalbaar in Vlaanderen")])
    async with db.transaction() as session:
        session.add(
            Translation(
                recommendation_id=first.id,
                language="nl",
                source_revision=1,
                content={
                    "title": "Eén loket voor jongeren",
                    "finding": "Jongeren kloppen aan vier deuren.",
                    "proposal": "Een gemeenschappelijk loket openen.",
                },
            )
        )
    return Consolidation(
        cycle=cycle,
        facilitator=facilitator,
        member=member,
        adopted=[first, second, third],
        rejected=rejected,
        voters=[fr_voter, be_voter],
    )
