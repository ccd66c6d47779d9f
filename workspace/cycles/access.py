"""What a person may see and do in a cycle, from their memberships and the cycle's phase.

Objects out of reach answer 404 rather than 403, so their existence does not leak.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from litestar.exceptions import NotFoundException
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from workspace.accounts.models import MembershipRole, User
from workspace.cycles.models import Cycle, Membership


@dataclass(frozen=True)
class CycleAccess:
    cycle: Cycle
    user: User | None
    roles: frozenset[MembershipRole]
    group_ids: frozenset[UUID]
    suspended: bool = False

    @property
    def is_admin(self) -> bool:
        return bool(self.user and self.user.is_admin)

    @property
    def is_participant(self) -> bool:
        return bool(self.roles) or self.is_admin

    @property
    def is_contributor(self) -> bool:
        """Writes, amends and votes: members and facilitators (authority reviewers read and answer)."""
        return self.is_admin or bool(self.roles & {MembershipRole.MEMBER, MembershipRole.FACILITATOR})

    @property
    def is_facilitator(self) -> bool:
        return self.is_admin or MembershipRole.FACILITATOR in self.roles

    @property
    def can_view(self) -> bool:
        return self.is_participant or self.cycle.phase.is_public

    @property
    def can_invite(self) -> bool:
        return self.is_facilitator

    def in_group(self, group_id: UUID | None) -> bool:
        return group_id is not None and group_id in self.group_ids


async def cycle_access(session: AsyncSession, user: User | None, cycle: Cycle) -> CycleAccess:
    if user is None:
        return CycleAccess(cycle=cycle, user=None, roles=frozenset(), group_ids=frozenset())
    rows = (
        await session.execute(
            select(Membership.role, Membership.group_id, Membership.suspended_at).where(
                Membership.user_id == user.id, Membership.cycle_id == cycle.id
            )
        )
    ).all()
    return access_from_memberships(cycle, user, rows)


def access_from_memberships(cycle: Cycle, user: User, memberships: Sequence[Any]) -> CycleAccess:
    """Rights from the user's membership rows in the cycle (role, group_id, suspended_at; a row of
    Nones, from an outer join, stands for no membership)."""
    roles = frozenset(row.role for row in memberships if row.role is not None)
    return CycleAccess(
        cycle=cycle,
        user=user,
        roles=roles,
        group_ids=frozenset(row.group_id for row in memberships if row.group_id is not None),
        suspended=any(row.suspended_at is not None for row in memberships),
    )


def require(condition: bool) -> None:
    """Out of reach looks exactly like absent."""
    if not condition:
        raise NotFoundException()
