"""What needs the signed-in person now, per role, in each cycle they take part in: the home page's agenda.

Each section asks the domain that holds it, in a few queries whatever the number of items (no query per
recommendation). "What changed since my last visit" on a text the person co-writes means: what others
did since the person's own latest revision of it (or since they became its co-author), that is, since
they last worked on it; Passerelle does not record page views.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from workspace.accounts.models import User
from workspace.cycles import services as cycles
from workspace.cycles.access import CycleAccess, access_from_memberships
from workspace.cycles.models import Meeting, Phase, WorkingGroup
from workspace.discussion import moderation, notifications
from workspace.discussion import services as discussion
from workspace.discussion.models import Notification
from workspace.dossier import answers, guard
from workspace.recommendations import services as recommendations
from workspace.recommendations.models import Amendment, Recommendation, Status
from workspace.voting import services as voting


@dataclass(frozen=True)
class Changed:
    """A text the person co-writes, and what others did to it since the person last worked on it."""

    recommendation: Recommendation
    since: datetime
    revisions: int
    comments: int


@dataclass
class MemberAgenda:
    ballots: list[Recommendation] = field(default_factory=list)
    amendments: list[tuple[Amendment, Recommendation]] = field(default_factory=list)
    cowritten: list[Changed] = field(default_factory=list)
    translations: list[tuple[Recommendation, list[str]]] = field(default_factory=list)
    meetings: list[tuple[Meeting, WorkingGroup]] = field(default_factory=list)


@dataclass
class FacilitatorAgenda:
    open_reports: int = 0
    privacy_flags: list[guard.PrivacyFlag] = field(default_factory=list)
    undecided_reasons: int = 0
    turnout: voting.Turnout | None = None
    phase_started: datetime | None = None
    next_phase: Phase | None = None
    empty_ballot: bool = False
    """Opening the vote now would put nothing on the ballot (no recommendation is submitted)."""

    @property
    def blockers(self) -> bool:
        return bool(self.privacy_flags or self.undecided_reasons or self.empty_ballot)


@dataclass
class CycleAgenda:
    access: CycleAccess
    member: MemberAgenda | None = None
    facilitator: FacilitatorAgenda | None = None
    to_answer: list[answers.ToAnswer] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        member = self.member
        for_member = member is not None and (
            self.access.cycle.phase == Phase.VOTING
            or bool(member.amendments or member.cowritten or member.translations or member.meetings)
        )
        return not (for_member or self.facilitator or self.to_answer)


@dataclass
class Agenda:
    replies: list[Notification]
    names: dict[str, str]
    cycles: list[CycleAgenda]


async def for_person(session: AsyncSession, user: User, today: date | None = None) -> Agenda:
    """The agenda of every cycle the person takes part in, newest first, with their unread replies."""
    replies = await notifications.unread_replies_and_mentions(session, user)
    names = await notifications.current_names(session, replies)
    reports = await moderation.open_report_counts(session, user)
    agendas = [
        await for_cycle(session, access, today or date.today(), reports) for access in await _my_cycles(session, user)
    ]
    if len(agendas) > 1:
        agendas = [agenda for agenda in agendas if not agenda.is_empty] or agendas[:1]
    return Agenda(replies=replies, names=names, cycles=agendas)


async def _my_cycles(session: AsyncSession, user: User) -> list[CycleAccess]:
    memberships = await cycles.memberships_of(session, user)
    by_cycle = {membership.cycle_id: membership.cycle for membership in memberships}
    ordered = sorted(by_cycle.values(), key=lambda cycle: (cycle.year, cycle.created_at), reverse=True)
    rows = {cycle.id: [m for m in memberships if m.cycle_id == cycle.id] for cycle in ordered}
    return [access_from_memberships(cycle, user, rows[cycle.id]) for cycle in ordered]


async def for_cycle(
    session: AsyncSession, access: CycleAccess, today: date, open_reports: dict[str, int]
) -> CycleAgenda:
    agenda = CycleAgenda(access=access)
    if access.user is None or access.suspended:
        return agenda
    if access.is_contributor:
        agenda.member = await _member(session, access, access.user, today)
    if access.is_facilitator:
        agenda.facilitator = await _facilitator(session, access, open_reports.get(str(access.cycle.id), 0))
    agenda.to_answer = await answers.reviewer_agenda(session, access)
    return agenda


async def _member(session: AsyncSession, access: CycleAccess, user: User, today: date) -> MemberAgenda:
    cycle = access.cycle
    written = await recommendations.cowritten(session, cycle, user)
    comments = await discussion.comments_since(session, user, {w.recommendation.id: w.since for w in written})
    changed = [
        Changed(w.recommendation, w.since, w.revisions, comments.get(w.recommendation.id, 0))
        for w in written
        if w.recommendation.status in (Status.DRAFT, Status.SUBMITTED) or w.revisions or w.recommendation.id in comments
    ]
    return MemberAgenda(
        ballots=await voting.ballots_to_cast(session, access),
        amendments=await recommendations.amendments_awaiting(session, cycle, user),
        cowritten=changed,
        translations=await recommendations.stale_translations(session, cycle, user),
        meetings=await cycles.upcoming_meetings(session, access.group_ids, today),
    )


async def _facilitator(session: AsyncSession, access: CycleAccess, open_reports: int) -> FacilitatorAgenda:
    cycle = access.cycle
    agenda = FacilitatorAgenda(open_reports=open_reports)
    agenda.phase_started = (await cycles.phase_dates(session, cycle)).get(cycle.phase)
    agenda.next_phase = cycles.next_phase(cycle)
    if cycle.phase == Phase.VOTING:
        agenda.turnout = await voting.turnout(session, cycle)
    elif cycle.phase == Phase.DISCUSSION:
        agenda.empty_ballot = not any(
            r.status == Status.SUBMITTED for r in await voting.recommendations_on_ballot(session, cycle)
        )
    elif cycle.phase == Phase.CONSOLIDATION:
        agenda.privacy_flags = await guard.privacy_flags(session, cycle)
        agenda.undecided_reasons = sum(1 for r in await guard.flagged_reasons(session, cycle) if r.decision is None)
    return agenda
