"""Authority answers: reviewers (invited per institution) answer the published recommendations addressed
to their institution, one by one or several at once from a template, and later report on implementation.
The follow-up board shows every answer and the response rates."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from workspace.accounts.models import MembershipRole, User
from workspace.core import audit, labels
from workspace.core.dates import format_typed, parse_typed
from workspace.core.forms import MAX_TEXT, Form, FormError
from workspace.core.i18n import current_language
from workspace.core.i18n import gettext as _
from workspace.cycles.access import CycleAccess, require
from workspace.cycles.models import Axis, Cycle, Membership
from workspace.discussion import notifications
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


async def adopted(session: AsyncSession, cycle: Cycle) -> list[Recommendation]:
    return list(
        (
            await session.scalars(
                select(Recommendation)
                .join(Axis, Axis.id == Recommendation.axis_id)
                .where(Recommendation.cycle_id == cycle.id, Recommendation.status == Status.ADOPTED)
                .order_by(
                    Axis.position,
                    Recommendation.reference.is_(None),
                    Recommendation.reference,
                    Recommendation.created_at,
                )
            )
        ).all()
    )


async def answers_for(session: AsyncSession, ids: list[UUID]) -> dict[tuple[UUID, str], AuthorityAnswer]:
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
    recommendations = [r for r in await adopted(session, access.cycle) if addressed_to(r.institutions, institution)]
    answers = await answers_for(session, [r.id for r in recommendations])
    return [Addressed(r, answers.get((r.id, institution))) for r in recommendations]


def answer_form(answer: AuthorityAnswer | None) -> Form:
    if answer is None:
        return Form(values={"implementation": Implementation.NOT_STARTED.value})
    return Form(
        values={
            "position": answer.position.value,
            "commitment": answer.commitment,
            "responsible_service": answer.responsible_service,
            "deadline": format_typed(answer.deadline, current_language.get()) if answer.deadline else "",
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
    raw = form.text("deadline", max_length=20)
    deadline = None
    if raw:
        try:
            deadline = parse_typed(raw)
        except ValueError:
            example = format_typed(date(2027, 6, 30), current_language.get())
            form.add_error("deadline", _("Enter a date as day, month, year, for example %(example)s.", example=example))
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
    audit.record(
        session,
        action="answer.save",
        actor_id=user.id,
        cycle_id=recommendation.cycle_id,
        target_kind="recommendation",
        target_id=recommendation.id,
        institution=institution,
        position=str(values["position"]),
        implementation=str(values["implementation"]),
    )
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
    """Tell the recommendation's author and co-authors (in their inbox) that `answer.institution` answered
    or updated its implementation status. Called inside the answering transaction, once per saved answer,
    so a notification lands exactly when the answer does."""
    await notifications.on_answer(session, recommendation, answer.institution, actor_id=answer.reviewer_id)


def position_label(position: str) -> str:
    return labels.label(position, Position)


def implementation_label(status: str) -> str:
    return labels.label(status, Implementation)


@dataclass
class ToAnswer:
    institution: str
    recommendation: Recommendation
    answer: AuthorityAnswer | None
    """None while unanswered; else an answer whose commitment has a deadline and is not done."""


async def reviewer_agenda(session: AsyncSession, access: CycleAccess) -> list[ToAnswer]:
    """For an authority reviewer: the published recommendations addressed to their institutions still
    unanswered, then their commitments with a deadline not yet done, soonest deadline first."""
    institutions = await institutions_of(session, access)
    if not institutions or not await is_published(session, access.cycle):
        return []
    recommendations = await adopted(session, access.cycle)
    answers = await answers_for(session, [r.id for r in recommendations])
    unanswered, due = [], []
    for institution in institutions:
        for recommendation in recommendations:
            if not addressed_to(recommendation.institutions, institution):
                continue
            answer = answers.get((recommendation.id, institution))
            if answer is None:
                unanswered.append(ToAnswer(institution, recommendation, None))
            elif answer.deadline and answer.implementation in (Implementation.NOT_STARTED, Implementation.IN_PROGRESS):
                due.append(ToAnswer(institution, recommendation, answer))
    due.sort(key=lambda item: item.answer.deadline if item.answer and item.answer.deadline else date.max)
    return unanswered + due
