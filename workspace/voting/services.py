"""Ballots: who may cast them, casting (an upsert, so retries and double clicks count once), tallies,
results and closing the vote."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from uuid_utils.compat import uuid7

from workspace.accounts.models import User
from workspace.core import audit
from workspace.core.forms import Form, FormError
from workspace.core.i18n import gettext as _
from workspace.core.web import found
from workspace.cycles.access import CycleAccess, access_from_memberships, cycle_access, require
from workspace.cycles.models import Cycle, Eligibility, Membership, SideSplit
from workspace.recommendations.models import Recommendation, Status
from workspace.voting import rules
from workspace.voting.models import Ballot, Choice, ReasonReview

MAX_REASON = 2_000
LEFT_OUT = ReasonReview.OMIT
"""Ballot.reason_review of a reason facilitators left out of what readers see (workspace/dossier/reasons.py)."""
ON_THE_BALLOT = (Status.SUBMITTED, Status.ADOPTED, Status.NOT_ADOPTED)
"""Submitted recommendations are voted on; once the vote closes they are adopted or not."""


class BallotRefused(Exception):
    """The ballot cannot be counted; the message says why in the reader's language."""

    def __init__(self, message: str, *, status_code: int = 409) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code


def _with_rights(*columns: Any) -> Any:
    """`columns` of the recommendation and its cycle, then the voter's memberships (an outer join: a row of
    Nones for someone without one)."""
    return (
        select(*columns, Membership.role, Membership.group_id, Membership.suspended_at)
        .join(Cycle, Cycle.id == Recommendation.cycle_id)
        .outerjoin(Membership, and_(Membership.cycle_id == Cycle.id, Membership.user_id == bindparam("user_id")))
        .where(Recommendation.id == bindparam("recommendation_id"))
    )


_FOR_VOTING = _with_rights(Recommendation, Cycle)
"""Built once: the recommendation, its cycle and the voter's memberships."""
_FOR_BALLOT = _FOR_VOTING.with_for_update(read=True, of=Cycle)
"""`_FOR_VOTING`, the cycle row share-locked on PostgreSQL (closing the vote takes it FOR UPDATE)."""


async def load_for_voting(
    session: AsyncSession, recommendation_id: UUID, user: User | None
) -> tuple[Recommendation, CycleAccess]:
    """The recommendation, its cycle and the voter's memberships in one query (this path carries the
    colloquium's load)."""
    if user is None:
        row = (
            await session.execute(
                select(Recommendation, Cycle)
                .join(Cycle, Cycle.id == Recommendation.cycle_id)
                .where(Recommendation.id == recommendation_id)
            )
        ).first()
        row = found(row)
        recommendation, cycle = row
        return _checked(recommendation, await cycle_access(session, None, cycle))
    return await _with_memberships(session, _FOR_VOTING, recommendation_id, user)


async def load_for_ballot(
    session: AsyncSession, recommendation_id: UUID, user: User
) -> tuple[Recommendation, CycleAccess]:
    """`load_for_voting` inside the write transaction that then casts the ballot.

    The phase read here stays true until the ballot is written: PostgreSQL share-locks the cycle row
    (closing the vote takes it FOR UPDATE), and on SQLite the transaction holds the single writer from
    this first statement. One transaction for the read and the write, rather than a read session
    before it, is also what keeps a ballot cheap.
    """
    return await _with_memberships(session, _FOR_BALLOT, recommendation_id, user)


async def _with_memberships(
    session: AsyncSession, query: Any, recommendation_id: UUID, user: User
) -> tuple[Recommendation, CycleAccess]:
    rows = (await session.execute(query, {"recommendation_id": recommendation_id, "user_id": user.id})).all()
    require(bool(rows))
    return _checked(rows[0][0], access_from_memberships(rows[0][1], user, rows))


def _checked(recommendation: Recommendation, access: CycleAccess) -> tuple[Recommendation, CycleAccess]:
    require(access.is_participant and recommendation.status in ON_THE_BALLOT)
    return recommendation, access


def read_ballot(form: Form) -> tuple[Choice, str]:
    """The choice and reason of a submitted ballot, or FormError with the message beside the field."""
    choice = form.choice("choice", [choice.value for choice in Choice])
    reason = form.text("reason", max_length=MAX_REASON)
    if choice == Choice.BLOCK and not reason:
        form.add_error("reason", _("A blocking objection needs a reason, so that the room can answer it."))
    if not form.is_valid:
        raise FormError(form)
    return Choice(choice), reason


def check_may_vote(recommendation: Recommendation, access: CycleAccess) -> None:
    if not rules.vote_is_open(access.cycle):
        raise BallotRefused(_("The vote is not open: ballots can only be cast during the voting phase."))
    if recommendation.status != Status.SUBMITTED:
        raise BallotRefused(_("This recommendation is not on the ballot."))
    if not rules.may_vote(access, recommendation.group_id):
        raise BallotRefused(_("You are not among the voters for this recommendation."), status_code=403)


async def cast_ballot(
    session: AsyncSession, recommendation: Recommendation, access: CycleAccess, choice: Choice, reason: str
) -> None:
    """Insert or replace the voter's ballot in one statement: the database keeps exactly one per voter.

    `recommendation` and `access` come from `load_for_ballot` in the same transaction, so a ballot
    either lands before the vote closes (and is counted by it) or is refused.
    """
    check_may_vote(recommendation, access)
    user = access.user
    assert user is not None
    connection = await session.connection()
    await connection.execute(
        _UPSERT[connection.dialect.name],
        {
            "id": uuid7(),
            "recommendation_id": recommendation.id,
            "user_id": user.id,
            "choice": choice,
            "reason": reason if choice != Choice.FOR else "",
            "side": user.side,
            "actor_kind": user.actor_kind,
            "now": datetime.now(UTC),
        },
    )


def _upsert(insert: Any) -> Any:
    """`INSERT … ON CONFLICT (recommendation, voter) DO UPDATE`, built once: the hot path of a vote."""
    table = Ballot.__table__
    statement = insert(table).values(
        id=bindparam("id"),
        recommendation_id=bindparam("recommendation_id"),
        user_id=bindparam("user_id"),
        choice=bindparam("choice"),
        reason=bindparam("reason"),
        reason_review=None,
        side=bindparam("side"),
        actor_kind=bindparam("actor_kind"),
        created_at=bindparam("now"),
        updated_at=bindparam("now"),
    )
    replaced = ("choice", "reason", "reason_review", "side", "actor_kind", "updated_at")
    return statement.on_conflict_do_update(
        index_elements=[table.c.recommendation_id, table.c.user_id],
        set_={name: statement.excluded[name] for name in replaced},
    )


_UPSERT = {"sqlite": _upsert(sqlite_insert), "postgresql": _upsert(postgresql_insert)}


async def my_ballot(session: AsyncSession, recommendation_id: UUID, user: User | None) -> Ballot | None:
    if user is None:
        return None
    return await session.scalar(
        select(Ballot).where(Ballot.recommendation_id == recommendation_id, Ballot.user_id == user.id)
    )


async def my_choices(session: AsyncSession, cycle: Cycle, user: User | None) -> dict[UUID, Choice]:
    if user is None:
        return {}
    rows = await session.execute(
        select(Ballot.recommendation_id, Ballot.choice)
        .join(Recommendation, Recommendation.id == Ballot.recommendation_id)
        .where(Recommendation.cycle_id == cycle.id, Ballot.user_id == user.id)
    )
    return {row[0]: row[1] for row in rows.all()}


async def _eligible_counts(session: AsyncSession, cycle: Cycle) -> tuple[int, dict[UUID, int]]:
    """Voters in the whole cycle, and per working group (for cycles whose vote is by group)."""
    voters = (
        select(Membership.user_id, Membership.group_id)
        .join(User, User.id == Membership.user_id)
        .where(
            Membership.cycle_id == cycle.id,
            Membership.role.in_(rules.VOTING_ROLES),
            Membership.suspended_at.is_(None),
            User.is_active.is_(True),
        )
    )
    rows = (await session.execute(voters)).all()
    everyone = len({row.user_id for row in rows})
    by_group: dict[UUID, set[UUID]] = defaultdict(set)
    for row in rows:
        if row.group_id is not None:
            by_group[row.group_id].add(row.user_id)
    return everyone, {group_id: len(members) for group_id, members in by_group.items()}


async def tallies(session: AsyncSession, cycle: Cycle, recommendations: list[Recommendation]) -> dict[UUID, Tally]:
    """One tally per recommendation, in two queries whatever their number."""
    everyone, by_group = await _eligible_counts(session, cycle)
    result: dict[UUID, rules.Tally] = {}
    for recommendation in recommendations:
        eligible = everyone
        if cycle.eligibility == Eligibility.GROUP and recommendation.group_id is not None:
            eligible = by_group.get(recommendation.group_id, 0)
        result[recommendation.id] = rules.Tally(recommendation_id=recommendation.id, eligible=eligible)
    await _count_ballots(session, result)
    return result


async def _count_ballots(session: AsyncSession, tallies: dict[UUID, rules.Tally]) -> None:
    """Adds the ballots cast on each of these recommendations to its tally, in one query."""
    if not tallies:
        return
    rows = await session.execute(
        select(Ballot.recommendation_id, Ballot.choice, Ballot.side, Ballot.actor_kind, func.count())
        .where(Ballot.recommendation_id.in_(list(tallies)))
        .group_by(Ballot.recommendation_id, Ballot.choice, Ballot.side, Ballot.actor_kind)
    )
    for recommendation_id, choice, side, actor_kind, number in rows.all():
        tallies[recommendation_id].add(choice, side, actor_kind, number)


async def support_and_consensus(
    session: AsyncSession, ids: list[UUID], cycle_of: dict[UUID, UUID], accesses: dict[UUID, CycleAccess]
) -> dict[UUID, dict[str, Any]]:
    """Support and cross-border consensus of the listed recommendations whose cycle shows the reader
    its results (`rules.results_visible`, as the results page): one query whatever their number and
    cycles. Turnout is left out (it needs each cycle's voters), so is what was never put to the vote."""
    shown = [i for i in ids if rules.results_visible(accesses[cycle_of[i]])]
    if not shown:
        return {}
    on_ballot = set(
        (
            await session.scalars(
                select(Recommendation.id).where(Recommendation.id.in_(shown), Recommendation.status.in_(ON_THE_BALLOT))
            )
        ).all()
    )
    counted = {i: rules.Tally(recommendation_id=i) for i in shown if i in on_ballot}
    await _count_ballots(session, counted)
    return {
        i: {
            "results_visible": True,
            "support": tally.overall.support,
            "consensus": tally.consensus(accesses[cycle_of[i]].cycle.side_split) if tally.overall.cast else None,
        }
        for i, tally in counted.items()
    }


Tally = rules.Tally


@dataclass(frozen=True)
class Objection:
    """A reason given against, or for blocking: the minority view the dossier keeps."""

    choice: Choice
    reason: str
    voter: str | None
    """The voter's name, only when the cycle's ballots are open."""
    ballot_id: UUID
    review: str | None = None
    """What facilitators decided if the personal-data guard flags the reason (Ballot.reason_review)."""


async def minority_views(
    session: AsyncSession, cycle: Cycle, recommendation_ids: list[UUID], *, with_left_out: bool = False
) -> dict[UUID, list[Objection]]:
    """The reasons given against or for blocking, as readers see them: without those facilitators left out
    because they hold personal data (`with_left_out`: those too, for the facilitators deciding)."""
    if not recommendation_ids:
        return {}
    query = (
        select(
            Ballot.recommendation_id, Ballot.choice, Ballot.reason, User.display_name, Ballot.id, Ballot.reason_review
        )
        .outerjoin(User, User.id == Ballot.user_id)
        .where(
            Ballot.recommendation_id.in_(recommendation_ids),
            Ballot.choice.in_((Choice.AGAINST, Choice.BLOCK)),
            Ballot.reason != "",
        )
        .order_by(Ballot.choice.desc(), Ballot.created_at)
    )
    if not with_left_out:
        query = query.where(or_(Ballot.reason_review.is_(None), Ballot.reason_review != LEFT_OUT))
    views: dict[UUID, list[Objection]] = defaultdict(list)
    for recommendation_id, choice, reason, name, ballot_id, review in (await session.execute(query)).all():
        voter = name if cycle.ballots_open else None
        views[recommendation_id].append(Objection(choice, reason, voter, ballot_id, review))
    return dict(views)


async def voters_by_choice(session: AsyncSession, recommendation_id: UUID) -> dict[Choice, list[str]]:
    """Names per choice; callers show them only when the cycle's ballots are open (rules.names_visible)."""
    rows = await session.execute(
        select(Ballot.choice, User.display_name)
        .join(User, User.id == Ballot.user_id)
        .where(Ballot.recommendation_id == recommendation_id)
        .order_by(User.display_name)
    )
    names: dict[Choice, list[str]] = defaultdict(list)
    for choice, name in rows.all():
        names[choice].append(name)
    return dict(names)


async def recommendations_on_ballot(session: AsyncSession, cycle: Cycle) -> list[Recommendation]:
    return list(
        (
            await session.scalars(
                select(Recommendation)
                .where(Recommendation.cycle_id == cycle.id, Recommendation.status.in_(ON_THE_BALLOT))
                .order_by(Recommendation.reference.is_(None), Recommendation.reference, Recommendation.created_at)
            )
        ).all()
    )


async def close_vote(session: AsyncSession, cycle: Cycle, actor: User) -> dict[UUID, rules.Verdict]:
    """Give every recommendation on the ballot its status from the cycle's rules, and record why."""
    submitted = [
        recommendation
        for recommendation in await recommendations_on_ballot(session, cycle)
        if recommendation.status == Status.SUBMITTED
    ]
    counted = await tallies(session, cycle, submitted)
    verdicts: dict[UUID, rules.Verdict] = {}
    for recommendation in submitted:
        outcome = rules.verdict(counted[recommendation.id], cycle)
        verdicts[recommendation.id] = outcome
        recommendation.status = Status.ADOPTED if outcome.adopted else Status.NOT_ADOPTED
        audit.record(
            session,
            action="vote.settle",
            actor_id=actor.id,
            cycle_id=cycle.id,
            target_kind="recommendation",
            target_id=recommendation.id,
            adopted=outcome.adopted,
            failed=[f"{check.rule}{':' + check.side if check.side else ''}" for check in outcome.failed],
            cast=counted[recommendation.id].overall.cast,
        )
    return verdicts


def _percent(form: Form, name: str, *, minimum: float) -> float:
    """A share typed as a percentage ("50", "66.67" or "66,67"), returned as a fraction."""
    raw = form.get(name).strip().replace(",", ".").rstrip("%").strip()
    try:
        value = round(float(raw), 2)
    except ValueError:
        form.add_error(name, _("Enter a percentage, for example 50 or 66.67."))
        return minimum
    if not minimum <= value <= 100:
        form.add_error(name, _("Enter a percentage between %(min)s and 100.", min=f"{minimum:g}"))
    return round(value / 100, 6)


def _percent_text(share: float) -> str:
    return f"{share * 100:.2f}".rstrip("0").rstrip(".")


def validate_rules(form: Form) -> dict[str, object]:
    eligibility = form.choice("eligibility", [value.value for value in Eligibility])
    side_split = form.choice("side_split", [value.value for value in SideSplit])
    quorum = _percent(form, "quorum", minimum=0)
    adoption = _percent(form, "adoption_threshold", minimum=1)
    side = _percent(form, "side_threshold", minimum=1)
    blocking = form.choice("blocking", ["blocks", "reported"])
    visibility = form.choice("results", ["live", "after"])
    secrecy = form.choice("ballots", ["secret", "open"])
    if not form.is_valid:
        raise FormError(form)
    return {
        "eligibility": Eligibility(eligibility),
        "side_split": SideSplit(side_split),
        "quorum": quorum,
        "adoption_threshold": adoption,
        "side_threshold": side,
        "blocking_blocks": blocking == "blocks",
        "results_live": visibility == "live",
        "ballots_open": secrecy == "open",
    }


def rules_form(cycle: Cycle) -> Form:
    return Form(
        values={
            "eligibility": cycle.eligibility.value,
            "side_split": cycle.side_split.value,
            "quorum": _percent_text(cycle.quorum),
            "adoption_threshold": _percent_text(cycle.adoption_threshold),
            "side_threshold": _percent_text(cycle.side_threshold),
            "blocking": "blocks" if cycle.blocking_blocks else "reported",
            "results": "live" if cycle.results_live else "after",
            "ballots": "open" if cycle.ballots_open else "secret",
        }
    )


async def update_rules(session: AsyncSession, access: CycleAccess, form: Form, actor: User) -> None:
    require(access.is_facilitator)
    if rules.rules_are_frozen(access.cycle):
        form.add_error("form", _("The voting rules are frozen once the vote has opened."))
        raise FormError(form)
    values = validate_rules(form)
    cycle = access.cycle
    for name, value in values.items():
        setattr(cycle, name, value)
    audit.record(
        session,
        action="vote.rules",
        actor_id=actor.id,
        cycle_id=cycle.id,
        target_kind="cycle",
        target_id=cycle.id,
        **{k: str(v) for k, v in values.items()},
    )


async def put_on_screen(session: AsyncSession, access: CycleAccess, recommendation_id: UUID | None) -> None:
    """Put a recommendation on the colloquium screen (or none)."""
    require(access.is_facilitator)
    if recommendation_id is not None:
        found = await session.scalar(
            select(Recommendation.id).where(
                Recommendation.id == recommendation_id,
                Recommendation.cycle_id == access.cycle.id,
                Recommendation.status.in_(ON_THE_BALLOT),
            )
        )
        require(found is not None)
    access.cycle.colloquium_recommendation_id = recommendation_id


async def on_screen(session: AsyncSession, cycle: Cycle) -> Recommendation | None:
    """The recommendation the colloquium screen shows, if any."""
    if cycle.colloquium_recommendation_id is None:
        return None
    return await session.scalar(
        select(Recommendation).where(
            Recommendation.id == cycle.colloquium_recommendation_id,
            Recommendation.cycle_id == cycle.id,
            Recommendation.status.in_(ON_THE_BALLOT),
        )
    )


async def ballots_to_cast(session: AsyncSession, access: CycleAccess) -> list[Recommendation]:
    """What the person may vote on and has not yet, while the vote is open (two queries)."""
    if not rules.vote_is_open(access.cycle) or access.user is None:
        return []
    cast = await my_choices(session, access.cycle, access.user)
    return [
        recommendation
        for recommendation in await recommendations_on_ballot(session, access.cycle)
        if recommendation.status == Status.SUBMITTED
        and recommendation.id not in cast
        and rules.may_vote(access, recommendation.group_id)
    ]


@dataclass(frozen=True)
class Turnout:
    voted: int
    """People who cast at least one ballot."""
    eligible: int
    """People who may vote in the cycle."""


async def turnout(session: AsyncSession, cycle: Cycle) -> Turnout:
    everyone, _by_group = await _eligible_counts(session, cycle)
    voted = await session.scalar(
        select(func.count(func.distinct(Ballot.user_id)))
        .join(Recommendation, Recommendation.id == Ballot.recommendation_id)
        .where(Recommendation.cycle_id == cycle.id, Ballot.user_id.is_not(None))
    )
    return Turnout(voted=voted or 0, eligible=everyone)
