"""The arithmetic of a vote: tallies, the cross-border double majority and the consensus score.

Pure functions over counts, so every rule is unit-tested without a database.

Definitions (shown to readers on the results page):
- *expressed* ballots are for, against and blocking objections; abstentions count for turnout only;
- *support* is for / expressed;
- a recommendation is adopted when turnout reaches the quorum, support reaches the overall threshold
  and the threshold on every side of the border, there are more ballots for than against, and (when
  the cycle says so) nobody raised a blocking objection;
- the *consensus score* is the smoothed support (for + 1) / (expressed + 2) on the weakest side.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from uuid import UUID

from workspace.accounts.models import MembershipRole, Side
from workspace.cycles.access import CycleAccess
from workspace.cycles.models import Cycle, Eligibility, Phase, SideSplit
from workspace.voting.models import Choice

VOTING_ROLES = frozenset({MembershipRole.MEMBER, MembershipRole.FACILITATOR})
"""Authority reviewers read and answer the dossier; they do not vote on what is addressed to them."""

SIDES_OF_SPLIT: dict[SideSplit, dict[str, frozenset[Side]]] = {
    SideSplit.FRANCE_BELGIUM: {
        "fr": frozenset({Side.FRANCE}),
        "be": frozenset({Side.WALLONIA, Side.FLANDERS}),
    },
    SideSplit.THREE_REGIONS: {
        "fr": frozenset({Side.FRANCE}),
        "wal": frozenset({Side.WALLONIA}),
        "vl": frozenset({Side.FLANDERS}),
    },
}


@dataclass
class Count:
    """Ballots of one group of voters (everyone, one side, one kind of actor)."""

    choices: Counter[Choice] = field(default_factory=Counter)

    def add(self, choice: Choice, number: int = 1) -> None:
        self.choices[choice] += number

    @property
    def for_(self) -> int:
        return self.choices[Choice.FOR]

    @property
    def against(self) -> int:
        return self.choices[Choice.AGAINST]

    @property
    def abstain(self) -> int:
        return self.choices[Choice.ABSTAIN]

    @property
    def block(self) -> int:
        return self.choices[Choice.BLOCK]

    @property
    def cast(self) -> int:
        return sum(self.choices.values())

    @property
    def expressed(self) -> int:
        return self.for_ + self.against + self.block

    @property
    def support(self) -> float | None:
        """Share of expressed ballots that are for; None when nobody expressed a view."""
        return self.for_ / self.expressed if self.expressed else None

    @property
    def smoothed_support(self) -> float:
        return (self.for_ + 1) / (self.expressed + 2)


@dataclass
class Tally:
    """All ballots on one recommendation, by side of the border and by kind of actor."""

    recommendation_id: UUID
    eligible: int = 0
    overall: Count = field(default_factory=Count)
    by_side: dict[str, Count] = field(default_factory=dict)
    """Keyed by the voter's own side ("fr", "wal", "vl", or "" when not given)."""
    by_actor: dict[str, Count] = field(default_factory=dict)

    def add(self, choice: Choice, side: str | None, actor_kind: str | None, number: int = 1) -> None:
        self.overall.add(choice, number)
        self.by_side.setdefault(side or "", Count()).add(choice, number)
        self.by_actor.setdefault(actor_kind or "", Count()).add(choice, number)

    @property
    def turnout(self) -> float | None:
        return self.overall.cast / self.eligible if self.eligible else None

    def sides(self, split: SideSplit) -> dict[str, Count]:
        """The counts of the sides the cycle's double majority looks at (voters without a side are left out)."""
        result: dict[str, Count] = {}
        for name, members in SIDES_OF_SPLIT[split].items():
            count = Count()
            for side in members:
                for choice, number in self.by_side.get(side.value, Count()).choices.items():
                    count.add(choice, number)
            result[name] = count
        return result

    def consensus(self, split: SideSplit) -> float:
        """Smoothed support on the weakest side: what unites the border ranks first."""
        return min(count.smoothed_support for count in self.sides(split).values())


class Rule(StrEnum):
    """The conditions of adoption a verdict checks."""

    QUORUM = "quorum"
    OVERALL = "overall"
    SIDE = "side"
    MAJORITY = "majority"
    BLOCKING = "blocking"


@dataclass(frozen=True)
class Check:
    """One condition of adoption, with the figures that decided it."""

    rule: Rule
    passed: bool
    value: float | int | None
    required: float | int | None
    side: str = ""


@dataclass(frozen=True)
class Verdict:
    adopted: bool
    checks: tuple[Check, ...]

    @property
    def failed(self) -> tuple[Check, ...]:
        return tuple(check for check in self.checks if not check.passed)


THRESHOLD_TOLERANCE = 5e-5
"""Thresholds are entered as percentages with two decimals: 2 of 3 must reach "66.67 %"."""


def _reaches(value: float | None, threshold: float) -> bool:
    return value is not None and value + THRESHOLD_TOLERANCE >= threshold


def verdict(tally: Tally, cycle: Cycle) -> Verdict:
    overall = tally.overall
    checks = [
        Check(Rule.QUORUM, _reaches(tally.turnout or 0.0, cycle.quorum), tally.turnout or 0.0, cycle.quorum),
        Check(
            Rule.OVERALL, _reaches(overall.support, cycle.adoption_threshold), overall.support, cycle.adoption_threshold
        ),
    ]
    for name, count in tally.sides(cycle.side_split).items():
        checks.append(Check(Rule.SIDE, _reaches(count.support, cycle.side_threshold), count.support,
                            cycle.side_threshold, side=name))  # fmt: skip
    checks.append(Check(Rule.MAJORITY, overall.for_ > overall.against, overall.for_, overall.against))
    if cycle.blocking_blocks:
        checks.append(Check(Rule.BLOCKING, overall.block == 0, overall.block, 0))
    return Verdict(adopted=all(check.passed for check in checks), checks=tuple(checks))


def vote_is_open(cycle: Cycle) -> bool:
    return cycle.phase == Phase.VOTING


def vote_is_closed(cycle: Cycle) -> bool:
    return cycle.phase.index > Phase.VOTING.index


def rules_are_frozen(cycle: Cycle) -> bool:
    return cycle.phase.index >= Phase.VOTING.index


def results_visible(access: CycleAccess) -> bool:
    """Hidden from everyone, facilitators included, until the vote closes, unless the cycle shows them live."""
    cycle = access.cycle
    if not access.can_view:
        return False
    return vote_is_closed(cycle) or (vote_is_open(cycle) and cycle.results_live and access.is_participant)


def names_visible(access: CycleAccess) -> bool:
    """Who voted what: only when the cycle's rules make ballots open, and only to those who see results."""
    return access.cycle.ballots_open and results_visible(access)


def may_vote(access: CycleAccess, group_id: UUID | None) -> bool:
    """Members and facilitators of the cycle (of the recommendation's group when the rules say so)."""
    if access.user is None or access.suspended or not access.roles & VOTING_ROLES:
        return False
    if access.cycle.eligibility == Eligibility.GROUP and group_id is not None:
        return access.in_group(group_id)
    return True
