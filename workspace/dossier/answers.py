"""Authority answers: reviewers (invited per institution) answer the published recommendations addressed
to their institution, one by one or several at once from a template, and later report on implementation.
The follow-up board shows every answer and the response rates."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from workspace.accounts.models import MembershipRole, User
from workspace.core import audit
from workspace.core.forms import MAX_TEXT, Form, FormError
from workspace.core.i18n import gettext as _
from workspace.cycles.access import CycleAccess, require
from workspace.cycles.models import Axis, Cycle, Membership
from workspace.dossier import memory
from workspace.dossier.memory import Link
from workspace.dossier.models import AuthorityAnswer, DossierVersion, Implementation, Position
from workspace.recommendations.models import Recommendation, Status

MAX_SERVICE = 200


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split())


def addressed_to(institutions_text: str, institution: str) -> bool:
    """A recommendation is addressed to an institution its "who should act" names (accents, case and
    spacing aside)."""
    name = _folded(institution)
    return bool(name) and name in _folded(institutions_text or "")


async def is_published(session: AsyncSession, cycle: Cycle) -> bool:
    return (
        await session.scalar(select(DossierVersion.id).where(DossierVersion.cycle_id == cycle.id).limit(1))
    ) is not None


async def institutions_of(session: AsyncSession, access: CycleAccess) -> list[str]:
    """The institutions the signed-in person answers for in this cycle."""
    if access.user is None or access.suspended or MembershipRole.AUTHORITY not in access.roles:
        return []
    names = await session.scalars(
        select(Membership.institution).where(
            Membership.cycle_id == access.cycle.id,
            Membership.user_id == access.user.id,
            Membership.role == MembershipRole.AUTHORITY,
            Membership.institution.is_not(None),
        )
    )
    return sorted({name for name in names if name})


async def cycle_institutions(session: AsyncSession, cycle: Cycle) -> list[str]:
    names = await session.scalars(
        select(Membership.institution).where(
            Membership.cycle_id == cycle.id,
            Membership.role == MembershipRole.AUTHORITY,
            Membership.institution.is_not(None),
        )
    )
    return sorted({name for name in names if name}, key=str.casefold)


async def _adopted(session: AsyncSession, cycle: Cycle) -> list[Recommendation]:
    return list(
        (
            await session.scalars(
                select(Recommendation)
                .where(Recommendation.cycle_id == cycle.id, Recommendation.status == Status.ADOPTED)
                .order_by(Recommendation.reference.is_(None), Recommendation.reference, Recommendation.created_at)
            )
        ).all()
    )


async def _answers(session: AsyncSession, ids: list[UUID]) -> dict[tuple[UUID, str], AuthorityAnswer]:
    if not ids:
        return {}
    rows = await session.scalars(select(AuthorityAnswer).where(AuthorityAnswer.recommendation_id.in_(ids)))
    return {(answer.recommendation_id, answer.institution): answer for answer in rows}


@dataclass
class Addressed:
    recommendation: Recommendation
    answer: AuthorityAnswer | None


async def inbox(session: AsyncSession, access: CycleAccess, institution: str) -> list[Addressed]:
    """The adopted recommendations addressed to one of the reviewer's institutions, with its answers."""
    require(institution in await institutions_of(session, access) and await is_published(session, access.cycle))
    recommendations = [r for r in await _adopted(session, access.cycle) if addressed_to(r.institutions, institution)]
    answers = await _answers(session, [r.id for r in recommendations])
    return [Addressed(r, answers.get((r.id, institution))) for r in recommendations]


def answer_form(answer: AuthorityAnswer | None) -> Form:
    if answer is None:
        return Form(values={"implementation": Implementation.NOT_STARTED.value})
    return Form(
        values={
            "position": answer.position.value,
            "commitment": answer.commitment,
            "responsible_service": answer.responsible_service,
            "deadline": answer.deadline.isoformat() if answer.deadline else "",
            "implementation": answer.implementation.value,
        }
    )


def read_answer(form: Form, current: AuthorityAnswer | None = None, today: date | None = None) -> dict[str, object]:
    """The answer's fields, or FormError with the messages beside them. A deadline may not be in the past,
    unless it is the one already given (a later status update keeps it)."""
    position = form.choice("position", [p.value for p in Position])
    commitment = form.text("commitment", max_length=MAX_TEXT)
    service = form.text("responsible_service", max_length=MAX_SERVICE)
    implementation = form.choice("implementation", [i.value for i in Implementation])
    raw = form.text("deadline", max_length=10)
    deadline = None
    if raw:
        try:
            deadline = date.fromisoformat(raw)
        except ValueError:
            form.add_error("deadline", _("Enter a date as year-month-day, for example 2027-06-30."))
        else:
            unchanged = current is not None and current.deadline == deadline
            if deadline < (today or date.today()) and not unchanged:
                form.add_error("deadline", _("The deadline cannot be in the past."))
    if not form.is_valid:
        raise FormError(form)
    return {
        "position": Position(position),
        "commitment": commitment,
        "responsible_service": service,
        "deadline": deadline,
        "implementation": Implementation(implementation),
    }


async def _addressed_recommendation(
    session: AsyncSession, access: CycleAccess, recommendation_id: UUID, institution: str
) -> Recommendation:
    require(institution in await institutions_of(session, access) and await is_published(session, access.cycle))
    recommendation = await session.scalar(
        select(Recommendation).where(
            Recommendation.id == recommendation_id,
            Recommendation.cycle_id == access.cycle.id,
            Recommendation.status == Status.ADOPTED,
        )
    )
    require(recommendation is not None and addressed_to(recommendation.institutions, institution))
    assert recommendation is not None
    return recommendation


async def _store(
    session: AsyncSession, recommendation: Recommendation, institution: str, values: dict[str, object], user: User
) -> AuthorityAnswer:
    answer = await session.scalar(
        select(AuthorityAnswer).where(
            AuthorityAnswer.recommendation_id == recommendation.id, AuthorityAnswer.institution == institution
        )
    )
    if answer is None:
        answer = AuthorityAnswer(recommendation_id=recommendation.id, institution=institution)
        session.add(answer)
    for name, value in values.items():
        setattr(answer, name, value)
    answer.reviewer_id = user.id
    audit.record(session, action="answer.save", actor_id=user.id, cycle_id=recommendation.cycle_id,
                 target_kind="recommendation", target_id=recommendation.id, institution=institution,
                 position=str(values["position"]), implementation=str(values["implementation"]))  # fmt: skip
    await notify_authors_of_answer(session, recommendation, answer)
    return answer


async def current_answer(
    session: AsyncSession, access: CycleAccess, recommendation_id: UUID, institution: str
) -> tuple[Recommendation, AuthorityAnswer | None]:
    recommendation = await _addressed_recommendation(session, access, recommendation_id, institution)
    answer = await session.scalar(
        select(AuthorityAnswer).where(
            AuthorityAnswer.recommendation_id == recommendation.id, AuthorityAnswer.institution == institution
        )
    )
    return recommendation, answer


async def save_answer(
    session: AsyncSession, access: CycleAccess, recommendation_id: UUID, institution: str, form: Form, user: User
) -> AuthorityAnswer:
    recommendation, current = await current_answer(session, access, recommendation_id, institution)
    values = read_answer(form, current)
    return await _store(session, recommendation, institution, values, user)


async def answer_many(
    session: AsyncSession, access: CycleAccess, ids: list[UUID], institution: str, form: Form, user: User
) -> int:
    """Give the same answer (the template) to several recommendations at once."""
    if not ids:
        form.add_error("recommendations", _("Choose at least one recommendation."))
    recommendations = [await _addressed_recommendation(session, access, rid, institution) for rid in ids]
    values = read_answer(form)
    for recommendation in recommendations:
        await _store(session, recommendation, institution, values, user)
    return len(recommendations)


async def notify_authors_of_answer(
    session: AsyncSession, recommendation: Recommendation, answer: AuthorityAnswer
) -> None:
    """Hook for the notifications system (being built separately): tell the recommendation's author and
    co-authors that `answer.institution` answered or updated its implementation status. Called inside the
    answering transaction, once per saved answer, so a notification lands exactly when the answer does.
    Deliberately empty here: no inbox is built in the dossier domain."""


@dataclass
class Rate:
    addressed: int = 0
    answered: int = 0

    @property
    def share(self) -> float | None:
        return self.answered / self.addressed if self.addressed else None


@dataclass
class BoardRow:
    recommendation: Recommendation
    axis: Axis | None
    answers: list[AuthorityAnswer]
    waiting: list[str]
    """Institutions it is addressed to that have not answered yet."""
    came_from: Link | None = None
    carried_to: Link | None = None


@dataclass
class Board:
    rows: list[BoardRow]
    by_institution: dict[str, Rate] = field(default_factory=dict)
    by_axis: dict[str, Rate] = field(default_factory=dict)
    overall: Rate = field(default_factory=Rate)


async def may_see_board(session: AsyncSession, access: CycleAccess) -> bool:
    """Public once the dossier is published; facilitators and reviewers of the cycle see it as it fills."""
    if access.is_facilitator or MembershipRole.AUTHORITY in access.roles:
        return await is_published(session, access.cycle)
    return access.can_view and access.cycle.phase.is_public and await is_published(session, access.cycle)


async def board(session: AsyncSession, access: CycleAccess) -> Board:
    require(await may_see_board(session, access))
    cycle = access.cycle
    recommendations = await _adopted(session, cycle)
    answers = await _answers(session, [r.id for r in recommendations])
    by_recommendation: dict[UUID, list[AuthorityAnswer]] = defaultdict(list)
    for (recommendation_id, _institution), answer in sorted(answers.items(), key=lambda item: item[0][1]):
        by_recommendation[recommendation_id].append(answer)
    institutions = await cycle_institutions(session, cycle)
    came_from, carried_to = await memory.links(session, [r.id for r in recommendations])
    axes = {axis.id: axis for axis in cycle.axes}
    result = Board(rows=[], by_institution={name: Rate() for name in institutions},
                   by_axis={axis.code: Rate() for axis in cycle.axes})  # fmt: skip
    for recommendation in recommendations:
        answered = {answer.institution for answer in by_recommendation[recommendation.id]}
        addressed = {name for name in institutions if addressed_to(recommendation.institutions, name)} | answered
        axis = axes.get(recommendation.axis_id)
        for name in addressed:
            for rate in (result.by_institution.setdefault(name, Rate()), result.overall,
                         result.by_axis[axis.code] if axis else Rate()):  # fmt: skip
                rate.addressed += 1
                rate.answered += name in answered
        result.rows.append(BoardRow(recommendation, axis, by_recommendation[recommendation.id],
                                    sorted(addressed - answered, key=str.casefold),
                                    came_from.get(recommendation.id), carried_to.get(recommendation.id)))  # fmt: skip
    return result


def position_label(position: str) -> str:
    return {
        "agrees": _("Agrees"),
        "will_study": _("Will study"),
        "partly": _("Partly agrees"),
        "disagrees": _("Disagrees"),
    }.get(position, position)


def implementation_label(status: str) -> str:
    return {
        "not_started": _("Not started"),
        "in_progress": _("In progress"),
        "done": _("Done"),
        "abandoned": _("Abandoned"),
    }.get(status, status)


def board_csv(result: Board) -> bytes:
    """One row per answer, and one per institution still to answer; semicolons and a BOM for Excel."""
    import csv
    import io

    from workspace.dossier.exports.tables import escape_formula

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([_("Number"), _("Title"), _("Axis"), _("Institution"), _("Position"), _("Commitment"),
                     _("Responsible service"), _("Deadline"), _("Implementation"), _("Answered on")])  # fmt: skip
    for row in result.rows:
        start = [row.recommendation.reference or "", row.recommendation.title, row.axis.code if row.axis else ""]
        for answer in row.answers:
            writer.writerow([escape_formula(value) for value in [
                *start, answer.institution, position_label(answer.position), answer.commitment,
                answer.responsible_service, answer.deadline.isoformat() if answer.deadline else "",
                implementation_label(answer.implementation), answer.updated_at.date().isoformat(),
            ]])  # fmt: skip
        for institution in row.waiting:
            writer.writerow([escape_formula(value) for value in [*start, institution, "", "", "", "", "", ""]])
    return buffer.getvalue().encode("utf-8-sig")


@dataclass
class CycleSummary:
    cycle: Cycle
    overall: Rate
    carried_forward: int


async def overview(session: AsyncSession, user: User | None) -> list[CycleSummary]:
    """The follow-up across cycles: every board the person may see, newest first."""
    from workspace.cycles import services as cycles

    summaries = []
    for cycle in await cycles.visible_cycles(session, user):
        access = await cycles.get_cycle(session, cycle.slug, user)
        if not await may_see_board(session, access):
            continue
        result = await board(session, access)
        summaries.append(CycleSummary(cycle, result.overall, sum(1 for row in result.rows if row.carried_to)))
    return summaries
