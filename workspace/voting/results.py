"""What readers see of a vote: per recommendation and per axis, with the verdict and the minority views."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from workspace.cycles.access import CycleAccess
from workspace.cycles.models import Axis
from workspace.recommendations.models import Recommendation
from workspace.voting import rules, services
from workspace.voting.models import Ballot, Choice
from workspace.voting.services import Objection

ORDERS = ("reference", "consensus")


@dataclass
class Result:
    recommendation: Recommendation
    tally: rules.Tally
    verdict: rules.Verdict
    consensus: float | None
    """None while nobody has voted: the smoothed score would say 50 % of nothing."""
    sides: dict[str, rules.Count]
    objections: list[Objection] = field(default_factory=list)


async def results_for(
    session: AsyncSession, access: CycleAccess, recommendations: list[Recommendation]
) -> dict[UUID, Result]:
    cycle = access.cycle
    counted = await services.tallies(session, cycle, recommendations)
    objections = await services.minority_views(session, cycle, [r.id for r in recommendations])
    return {
        recommendation.id: Result(
            recommendation=recommendation,
            tally=counted[recommendation.id],
            verdict=rules.verdict(counted[recommendation.id], cycle),
            consensus=counted[recommendation.id].consensus(cycle.side_split)
            if counted[recommendation.id].overall.cast
            else None,
            sides=counted[recommendation.id].sides(cycle.side_split),
            objections=objections.get(recommendation.id, []),
        )
        for recommendation in recommendations
    }


def _by_consensus(result: Result) -> tuple[bool, float]:
    """Highest consensus first; recommendations nobody voted on after every voted one."""
    return (result.consensus is None, -(result.consensus or 0.0))


@dataclass
class AxisResults:
    axis: Axis
    results: list[Result]
    total: rules.Count


async def cycle_results(session: AsyncSession, access: CycleAccess, order: str = "reference") -> list[AxisResults]:
    """Every recommendation on the ballot, grouped by axis; ranked by consensus when asked."""
    on_ballot = await services.recommendations_on_ballot(session, access.cycle)
    by_id = await results_for(session, access, on_ballot)
    grouped: list[AxisResults] = []
    for axis in access.cycle.axes:
        results = [by_id[r.id] for r in on_ballot if r.axis_id == axis.id]
        if order == "consensus":
            results.sort(key=_by_consensus)
        total = rules.Count()
        for result in results:
            for choice, number in result.tally.overall.choices.items():
                total.add(choice, number)
        grouped.append(AxisResults(axis=axis, results=results, total=total))
    return grouped


@dataclass
class Panel:
    """The voting block of a recommendation page."""

    is_open: bool
    may_vote: bool
    ballot: Ballot | None
    turnout: rules.Tally | None
    result: Result | None
    voters: dict[Choice, list[str]]


async def panel(session: AsyncSession, recommendation: Recommendation, access: CycleAccess) -> Panel | None:
    """None before the vote, or for what was never on the ballot."""
    cycle = access.cycle
    if not rules.rules_are_frozen(cycle) or recommendation.status not in services.ON_THE_BALLOT:
        return None
    user = access.user
    is_open = rules.vote_is_open(cycle)
    result = None
    turnout = None
    if rules.results_visible(access):
        result = (await results_for(session, access, [recommendation]))[recommendation.id]
        turnout = result.tally
    elif access.is_participant:
        turnout = (await services.tallies(session, cycle, [recommendation]))[recommendation.id]
    return Panel(
        is_open=is_open,
        may_vote=is_open and rules.may_vote(access, recommendation.group_id) and user is not None,
        ballot=await services.my_ballot(session, recommendation.id, user),
        turnout=turnout,
        result=result,
        voters=(await services.voters_by_choice(session, recommendation.id)) if rules.names_visible(access) else {},
    )
