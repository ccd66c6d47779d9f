"""Working groups after the cycle is made: a facilitator adds, renames, archives and restores groups and
moves members between them; each act is recorded in the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from workspace.accounts.models import MembershipRole, User
from workspace.core import audit
from workspace.core.forms import Form, FormError
from workspace.core.i18n import gettext as _
from workspace.core.web import found
from workspace.cycles.access import CycleAccess, require
from workspace.cycles.models import Membership, WorkingGroup

MAX_NAME = 160


@dataclass(frozen=True)
class Seat:
    """One member's place in the cycle: their membership and the group it puts them in."""

    membership: Membership
    user: User


async def seats(session: AsyncSession, access: CycleAccess) -> list[Seat]:
    """The cycle's members and facilitators (not the authorities' reviewers), by name."""
    rows = await session.execute(
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.cycle_id == access.cycle.id, Membership.role != MembershipRole.AUTHORITY)
        .order_by(User.display_name, Membership.created_at)
    )
    return [Seat(membership, user) for membership, user in rows.all()]


async def _names_taken(session: AsyncSession, access: CycleAccess, but: UUID | None = None) -> set[str]:
    query = select(WorkingGroup.name).where(WorkingGroup.cycle_id == access.cycle.id)
    if but is not None:
        query = query.where(WorkingGroup.id != but)
    return {name.casefold() for name in await session.scalars(query)}


async def _read_name(session: AsyncSession, access: CycleAccess, form: Form, but: UUID | None = None) -> str:
    name = form.text("name", required=True, max_length=MAX_NAME)
    if name and name.casefold() in await _names_taken(session, access, but):
        form.add_error("name", _("Another working group of this cycle has this name."))
    if not form.is_valid:
        raise FormError(form)
    return name


async def add_group(session: AsyncSession, access: CycleAccess, form: Form, actor: User) -> WorkingGroup:
    require(access.is_facilitator)
    name = await _read_name(session, access, form)
    group = WorkingGroup(cycle_id=access.cycle.id, name=name)
    session.add(group)
    await session.flush()
    audit.record(
        session,
        action="group.create",
        actor_id=actor.id,
        cycle_id=access.cycle.id,
        target_kind="group",
        target_id=group.id,
        title=name,
    )
    return group


async def _group_of_cycle(session: AsyncSession, access: CycleAccess, group_id: UUID) -> WorkingGroup:
    return found(
        await session.scalar(
            select(WorkingGroup).where(WorkingGroup.id == group_id, WorkingGroup.cycle_id == access.cycle.id)
        )
    )


async def rename_group(
    session: AsyncSession, access: CycleAccess, group_id: UUID, form: Form, actor: User
) -> WorkingGroup:
    require(access.is_facilitator)
    group = await _group_of_cycle(session, access, group_id)
    form.values.setdefault("group_id", str(group.id))
    name = await _read_name(session, access, form, but=group.id)
    previous, group.name = group.name, name
    audit.record(
        session,
        action="group.rename",
        actor_id=actor.id,
        cycle_id=access.cycle.id,
        target_kind="group",
        target_id=group.id,
        title=name,
        previous_name=previous,
    )
    return group


async def set_archived(
    session: AsyncSession, access: CycleAccess, group_id: UUID, archived: bool, actor: User
) -> WorkingGroup:
    """Archive a group whose work is done, or bring it back. Its members stay in it (the group page and
    its texts keep their readers); it is no longer offered where one chooses a group."""
    require(access.is_facilitator)
    group = await _group_of_cycle(session, access, group_id)
    if group.is_archived == archived:
        return group
    group.archived_at = datetime.now(UTC) if archived else None
    audit.record(
        session,
        action="group.archive" if archived else "group.restore",
        actor_id=actor.id,
        cycle_id=access.cycle.id,
        target_kind="group",
        target_id=group.id,
        title=group.name,
    )
    return group


async def move_member(
    session: AsyncSession, access: CycleAccess, membership_id: UUID, form: Form, actor: User
) -> tuple[User, WorkingGroup | None]:
    """Put a member in another group of the cycle (or in none)."""
    require(access.is_facilitator)
    membership = found(
        await session.scalar(
            select(Membership).where(
                Membership.id == membership_id,
                Membership.cycle_id == access.cycle.id,
                Membership.role != MembershipRole.AUTHORITY,
            )
        )
    )
    groups = {
        str(group.id): group
        for group in await session.scalars(select(WorkingGroup).where(WorkingGroup.cycle_id == access.cycle.id))
    }
    wanted = form.get("group_id")
    if wanted and wanted in groups and groups[wanted].is_archived and groups[wanted].id != membership.group_id:
        form.add_error("group_id", _("This working group is archived: restore it first to move someone into it."))
        raise FormError(form)
    if wanted and wanted not in groups:
        form.add_error("group_id", _("Choose one of this cycle's working groups."))
        raise FormError(form)
    target = groups.get(wanted) if wanted else None
    target_id = target.id if target is not None else None
    user = await session.get_one(User, membership.user_id)
    if target_id == membership.group_id:
        return user, target
    already = await session.scalar(
        select(Membership.id).where(
            Membership.user_id == membership.user_id,
            Membership.cycle_id == access.cycle.id,
            Membership.group_id.is_(None) if target_id is None else Membership.group_id == target_id,
        )
    )
    if already is not None:
        form.add_error("group_id", _("%(name)s is already in this working group.", name=user.display_name))
        raise FormError(form)
    previous = groups.get(str(membership.group_id)) if membership.group_id else None
    membership.group_id = target_id
    audit.record(
        session,
        action="member.move",
        actor_id=actor.id,
        cycle_id=access.cycle.id,
        target_kind="user",
        target_id=user.id,
        group=target.name if target else "",
        previous_group=previous.name if previous else "",
    )
    return user, target
