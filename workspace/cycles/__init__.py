"""Cycles (one year, one theme), their phases, axes, working groups, memberships, invitations, meetings."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from workspace.accounts.models import User
from workspace.accounts.signals import identity_without_account, profile_opened
from workspace.cycles.invitations import account_for_invited_address
from workspace.cycles.services import memberships_of


@identity_without_account.connect
async def _join_by_invitation(email: str, *, session: AsyncSession, name: str, provider: str) -> User | None:
    return await account_for_invited_address(session, email, name, provider)


@profile_opened.connect
async def _memberships_on_the_profile(user: User, *, session: AsyncSession) -> dict[str, Any]:
    return {"memberships": await memberships_of(session, user)}
