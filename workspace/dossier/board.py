"""The follow-up board: every answer and implementation status per cycle, the response rates per
institution and per axis, the chain of carried-over recommendations, and the view across cycles."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from workspace.accounts.models import MembershipRole, User
from workspace.core.i18n import current_language
from workspace.core.i18n import gettext as _
from workspace.cycles import services as cycles
from workspace.cycles.access import CycleAccess, require
from workspace.cycles.models import Axis, Cycle
from workspace.dossier import answers, carry_over
from workspace.dossier.carry_over import Link
from workspace.dossier.exports.tables import escape_formula
from workspace.dossier.models import AuthorityAnswer
from workspace.recommendations.models import Recommendation


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
        return await answers.is_published(session, access.cycle)
    return access.can_view and access.cycle.phase.is_public and await answers.is_published(session, access.cycle)


async def board(session: AsyncSession, access: CycleAccess) -> Board:
    require(await may_see_board(session, access))
    cycle = access.cycle
    recommendations = await answers.adopted(session, cycle)
    given = await answers.answers_for(session, [r.id for r in recommendations])
    by_recommendation: dict[UUID, list[AuthorityAnswer]] = defaultdict(list)
    for (recommendation_id, _institution), answer in sorted(given.items(), key=lambda item: item[0][1]):
        by_recommendation[recommendation_id].append(answer)
    institutions = await answers.cycle_institutions(session, cycle)
    came_from, carried_to = await carry_over.links(session, [r.id for r in recommendations])
    axes = {axis.id: axis for axis in cycle.axes}
    result = Board(
        rows=[],
        by_institution={name: Rate() for name in institutions},
        by_axis={axis.code: Rate() for axis in cycle.axes},
    )
    for recommendation in recommendations:
        answered = {answer.institution for answer in by_recommendation[recommendation.id]}
        addressed = {
            name for name in institutions if answers.addressed_to(recommendation.institutions, name)
        } | answered
        axis = axes.get(recommendation.axis_id)
        for name in addressed:
            for rate in (
                result.by_institution.setdefault(name, Rate()),
                result.overall,
                result.by_axis[axis.code] if axis else Rate(),
            ):
                rate.addressed += 1
                rate.answered += name in answered
        result.rows.append(
            BoardRow(
                recommendation,
                axis,
                by_recommendation[recommendation.id],
                sorted(addressed - answered, key=str.casefold),
                came_from.get(recommendation.id),
                carried_to.get(recommendation.id),
            )
        )
    return result


def board_csv(result: Board) -> bytes:
    """One row per answer, and one per institution still to answer; semicolons and a BOM for Excel."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [
            _("Number"),
            _("Title"),
            _("Axis"),
            _("Institution"),
            _("Position"),
            _("Commitment"),
            _("Responsible service"),
            _("Deadline"),
            _("Implementation"),
            _("Answered on"),
        ]
    )
    for row in result.rows:
        axis = row.axis.name(current_language.get()) if row.axis else ""
        start = [row.recommendation.reference or "", row.recommendation.title, axis]
        for answer in row.answers:
            writer.writerow(
                [
                    escape_formula(value)
                    for value in [
                        *start,
                        answer.institution,
                        answers.position_label(answer.position),
                        answer.commitment,
                        answer.responsible_service,
                        answer.deadline.isoformat() if answer.deadline else "",
                        answers.implementation_label(answer.implementation),
                        answer.updated_at.date().isoformat(),
                    ]
                ]
            )
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
    summaries = []
    for cycle in await cycles.visible_cycles(session, user):
        access = await cycles.get_cycle(session, cycle.slug, user)
        if not await may_see_board(session, access):
            continue
        result = await board(session, access)
        summaries.append(CycleSummary(cycle, result.overall, await carry_over.carried_forward(session, cycle)))
    return summaries
