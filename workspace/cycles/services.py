"""Cycles: finding them, who belongs, what they hold, and creating new ones."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import UTC, date, datetime
from uuid import UUID

from sqlalchemy import func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from workspace.accounts.models import User
from workspace.core import audit
from workspace.core.dates import format_typed, parse_typed
from workspace.core.forms import MAX_TEXT, Form, FormError
from workspace.core.i18n import current_language
from workspace.core.i18n import gettext as _
from workspace.core.models import AuditEntry
from workspace.core.web import found
from workspace.cycles.access import CycleAccess, access_from_memberships, cycle_access, require
from workspace.cycles.models import Axis, Cycle, Meeting, Membership, Phase, WorkingGroup

SEEDED_AXES = (
    (
        "F",
        "Formation",
        "Opleiding",
        "Training",
        "Formation initiale dans les écoles de travail social et formation continue des travailleurs sociaux.",
        "Basisopleiding in de scholen voor sociaal werk en bijscholing van sociaal werkers.",
        "Initial training in social-work schools and continuing training of social workers.",
    ),
    (
        "P",
        "Pratiques",
        "Praktijken",
        "Practices",
        "Pratiques entre travailleurs sociaux, spécialistes du thème de l'année et personnes concernées.",
        "Praktijken tussen sociaal werkers, specialisten van het jaarthema en de betrokken personen.",
        "Practices between social workers, specialists of the year's theme and the people concerned.",
    ),
    (
        "G",
        "Gouvernance",
        "Bestuur",
        "Governance",
        "Implication des pouvoirs locaux et régionaux (élus et fonctionnaires).",
        "Betrokkenheid van lokale en regionale overheden (verkozenen en ambtenaren).",
        "Involving local and regional authorities (elected officials and civil servants).",
    ),
)


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:50] or "cycle"


async def get_cycle(session: AsyncSession, slug: str, user: User | None) -> CycleAccess:
    cycle = await session.scalar(select(Cycle).where(Cycle.slug == slug).options(selectinload(Cycle.axes)))
    cycle = found(cycle)
    access = await cycle_access(session, user, cycle)
    require(access.can_view)
    return access


async def visible_cycles(session: AsyncSession, user: User | None) -> list[Cycle]:
    """Cycles a person may open, newest first: their own, every public one, all for an admin."""
    query = select(Cycle).order_by(Cycle.year.desc(), Cycle.created_at.desc())
    public = Cycle.phase.in_([phase for phase in Phase if phase.is_public])
    if user is None:
        query = query.where(public)
    elif not user.is_admin:
        mine = select(Membership.cycle_id).where(Membership.user_id == user.id)
        query = query.where(or_(public, Cycle.id.in_(mine)))
    return list((await session.scalars(query)).all())


async def current_cycle(session: AsyncSession, user: User | None) -> CycleAccess | None:
    cycles = await visible_cycles(session, user)
    if not cycles:
        return None
    cycle = await session.scalar(select(Cycle).where(Cycle.id == cycles[0].id).options(selectinload(Cycle.axes)))
    assert cycle is not None
    return await cycle_access(session, user, cycle)


def find_axis(access: CycleAccess, code: str) -> Axis:
    for axis in access.cycle.axes:
        if axis.code.lower() == code.lower():
            return axis
    require(False)
    raise AssertionError  # unreachable


async def get_group(session: AsyncSession, group_id: UUID, user: User | None) -> tuple[WorkingGroup, CycleAccess]:
    group = await session.scalar(
        select(WorkingGroup)
        .where(WorkingGroup.id == group_id)
        .options(selectinload(WorkingGroup.cycle).selectinload(Cycle.axes))
    )
    group = found(group)
    access = await cycle_access(session, user, group.cycle)
    require(access.is_participant)
    return group, access


async def group_members(session: AsyncSession, group: WorkingGroup) -> list[Membership]:
    return list(
        (
            await session.scalars(
                select(Membership)
                .join(User, User.id == Membership.user_id)
                .where(Membership.group_id == group.id, User.is_active.is_(True))
                .order_by(Membership.role.desc(), User.display_name)
                .options(selectinload(Membership.user))
            )
        ).all()
    )


async def cycle_groups(
    session: AsyncSession, cycle: Cycle, *, with_archived: bool = False
) -> list[tuple[WorkingGroup, int]]:
    """The cycle's working groups with their member counts, by name; archived ones only when asked."""
    counts = (
        select(Membership.group_id, func.count().label("members"))
        .where(Membership.cycle_id == cycle.id, Membership.group_id.is_not(None))
        .group_by(Membership.group_id)
        .subquery()
    )
    rows = await session.execute(
        select(WorkingGroup, func.coalesce(counts.c.members, 0))
        .outerjoin(counts, counts.c.group_id == WorkingGroup.id)
        .where(WorkingGroup.cycle_id == cycle.id, true() if with_archived else WorkingGroup.archived_at.is_(None))
        .order_by(WorkingGroup.name)
    )
    return [(group, members) for group, members in rows.all()]


def validate_cycle_form(form: Form) -> None:
    form.integer("year", minimum=2000, maximum=2100)
    form.text("title_fr", required=True)
    form.text("title_nl", required=True)
    form.text("title_en")
    form.text("theme_fr", max_length=MAX_TEXT)
    form.text("theme_nl", max_length=MAX_TEXT)
    form.text("group_name")


SECOND_OF_YEAR = "second_of_year"


async def _check_one_cycle_a_year(session: AsyncSession, form: Form, year: int) -> None:
    """The network meets around one theme a year: a second cycle for a year is most often a mistyped
    year, so it is made only when the admin says so (the form then offers the box to tick)."""
    same_year = (await session.scalars(select(Cycle).where(Cycle.year == year).order_by(Cycle.title_fr))).all()
    if not same_year or form.get(SECOND_OF_YEAR) == "1":
        return
    titles = ", ".join(cycle.title(current_language.get()) for cycle in same_year)
    form.add_error(
        "year",
        _(
            "A cycle already exists for %(year)s: “%(titles)s”. Check the year, or tick the box below to make "
            "a second one.",
            year=year,
            titles=titles,
        ),
    )
    form.add_error(SECOND_OF_YEAR, _("Tick this box if this year really has a second cycle."))
    raise FormError(form)


async def create_cycle(session: AsyncSession, form: Form, actor: User) -> Cycle:
    """A new cycle with the three seeded axes and, if named, a first working group."""
    validate_cycle_form(form)
    if not form.is_valid:
        raise FormError(form)
    year = int(form.get("year"))
    await _check_one_cycle_a_year(session, form, year)
    base_slug = f"{year}-{slugify(form.get('title_fr'))}"
    slug = base_slug
    suffix = 2
    while await session.scalar(select(Cycle.id).where(Cycle.slug == slug)) is not None:
        slug = f"{base_slug}-{suffix}"
        suffix += 1
    cycle = Cycle(
        year=year,
        slug=slug[:60],
        title_fr=form.get("title_fr"),
        title_nl=form.get("title_nl"),
        title_en=form.get("title_en"),
        theme_fr=form.get("theme_fr"),
        theme_nl=form.get("theme_nl"),
    )
    for position, (code, fr, nl, en, desc_fr, desc_nl, desc_en) in enumerate(SEEDED_AXES):
        cycle.axes.append(
            Axis(
                code=code,
                position=position,
                name_fr=fr,
                name_nl=nl,
                name_en=en,
                description_fr=desc_fr,
                description_nl=desc_nl,
                description_en=desc_en,
            )
        )
    if form.get("group_name"):
        cycle.groups.append(WorkingGroup(name=form.get("group_name")))
    session.add(cycle)
    await session.flush()
    audit.record(
        session,
        action="cycle.create",
        actor_id=actor.id,
        cycle_id=cycle.id,
        target_kind="cycle",
        target_id=cycle.id,
        title=cycle.title_fr,
    )
    return cycle


def next_phase(cycle: Cycle) -> Phase | None:
    phases = list(Phase)
    position = phases.index(cycle.phase)
    return phases[position + 1] if position + 1 < len(phases) else None


async def advance_phase(session: AsyncSession, access: CycleAccess, wanted: str, actor: User) -> Phase:
    """Move the cycle one phase on. Only forward: going back to discussion after ballots were cast
    would let texts change under the votes. `wanted` guards against two facilitators clicking at once."""
    require(access.is_facilitator)
    await session.refresh(access.cycle, attribute_names=["phase"], with_for_update=True)
    target = next_phase(access.cycle)
    if target is None or target.value != wanted:
        raise PhaseConflict(access.cycle.phase)
    previous = access.cycle.phase
    access.cycle.phase = target
    access.cycle.phase_changed_at = datetime.now(UTC)
    access.cycle.phase_ends_on = None
    audit.record(
        session,
        action="cycle.phase",
        actor_id=actor.id,
        cycle_id=access.cycle.id,
        target_kind="cycle",
        target_id=access.cycle.id,
        previous=previous.value,
        phase=target.value,
    )
    return target


def typed_date_example() -> str:
    return format_typed(date(2027, 6, 30), current_language.get())


async def set_phase_end(
    session: AsyncSession, access: CycleAccess, form: Form, actor: User, *, today: date | None = None
) -> date | None:
    """A facilitator tells everyone when the current phase is planned to end (for the vote: when it
    closes), or takes the date back with an empty field. The date is not in the past; the phase still
    moves on only when a facilitator moves it."""
    require(access.is_facilitator and next_phase(access.cycle) is not None)
    raw = form.text("ends_on", max_length=20)
    ends_on = None
    if raw:
        try:
            ends_on = parse_typed(raw)
        except ValueError:
            message = _("Enter a date as day, month, year, for example %(example)s.", example=typed_date_example())
            form.add_error("ends_on", message)
        else:
            if ends_on < (today or date.today()):
                form.add_error("ends_on", _("The planned end cannot be in the past."))
    if not form.is_valid:
        raise FormError(form)
    access.cycle.phase_ends_on = ends_on
    audit.record(
        session,
        action="cycle.phase_end",
        actor_id=actor.id,
        cycle_id=access.cycle.id,
        target_kind="cycle",
        target_id=access.cycle.id,
        phase=access.cycle.phase.value,
        ends_on=ends_on.isoformat() if ends_on else None,
    )
    return ends_on


class PhaseConflict(Exception):
    """The cycle is not where the facilitator thought (someone else moved it meanwhile)."""

    def __init__(self, current: Phase) -> None:
        super().__init__(current.value)
        self.current = current


async def memberships_of(session: AsyncSession, user: User) -> list[Membership]:
    """Every cycle and group the person belongs to, oldest first (their profile lists them)."""
    return list(
        (
            await session.scalars(
                select(Membership)
                .where(Membership.user_id == user.id)
                .options(selectinload(Membership.group), selectinload(Membership.cycle))
                .order_by(Membership.created_at)
            )
        ).all()
    )


async def phase_dates(session: AsyncSession, cycle: Cycle) -> dict[Phase, datetime]:
    """When each phase the cycle reached began: drafting when the cycle was created, the others from the
    audit log's phase changes (the cycle's own `phase_changed_at` for the current one if the log has none)."""
    started: dict[Phase, datetime] = {Phase.DRAFTING: cycle.created_at}
    entries = await session.scalars(
        select(AuditEntry)
        .where(AuditEntry.cycle_id == cycle.id, AuditEntry.action == "cycle.phase")
        .order_by(AuditEntry.created_at)
    )
    for entry in entries:
        try:
            started[Phase(entry.details.get("phase", ""))] = entry.created_at
        except ValueError:
            continue
    if cycle.phase not in started and cycle.phase_changed_at is not None:
        started[cycle.phase] = cycle.phase_changed_at
    # A date later than the start of a phase after it (data loaded or imported out of order) would say
    # something false: it is left out.
    later: datetime | None = None
    for phase in reversed(list(Phase)):
        if phase in started:
            if later is not None and started[phase] > later:
                del started[phase]
            else:
                later = started[phase]
    return started


async def upcoming_meetings(
    session: AsyncSession, group_ids: frozenset[UUID], today: date, limit: int = 5
) -> list[tuple[Meeting, WorkingGroup]]:
    """The next meetings of these working groups, from today on, soonest first."""
    if not group_ids:
        return []
    rows = await session.execute(
        select(Meeting, WorkingGroup)
        .join(WorkingGroup, WorkingGroup.id == Meeting.group_id)
        .where(Meeting.group_id.in_(list(group_ids)), Meeting.held_on >= today)
        .order_by(Meeting.held_on, WorkingGroup.name)
        .limit(limit)
    )
    return [(meeting, group) for meeting, group in rows.all()]


async def accesses_to(session: AsyncSession, user: User | None, cycles: Iterable[Cycle]) -> dict[UUID, CycleAccess]:
    """The person's access to each of these cycles, in one query whatever their number (for a list
    spanning cycles, such as the search)."""
    cycles = list(cycles)
    if user is None or not cycles:
        return {
            cycle.id: CycleAccess(cycle=cycle, user=user, roles=frozenset(), group_ids=frozenset()) for cycle in cycles
        }
    rows = (
        await session.execute(
            select(Membership.cycle_id, Membership.role, Membership.group_id, Membership.suspended_at).where(
                Membership.user_id == user.id, Membership.cycle_id.in_([cycle.id for cycle in cycles])
            )
        )
    ).all()
    return {
        cycle.id: access_from_memberships(cycle, user, [row for row in rows if row.cycle_id == cycle.id])
        for cycle in cycles
    }
