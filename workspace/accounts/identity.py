"""Which account an OpenID Connect identity signs in to: a linked one, one with the same verified
e-mail address, or one a pending invitation allows; otherwise none (refused with a clear page)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from workspace.accounts import lookalikes
from workspace.accounts.models import Invitation, OidcIdentity, User
from workspace.accounts.services import _add_membership, normalise_email
from workspace.core import audit
from workspace.core.tokens import utcnow


class Refusal(enum.StrEnum):
    NO_ACCOUNT = "no_account"
    UNVERIFIED = "unverified"
    DISABLED = "disabled"


@dataclass(frozen=True)
class IdentityResult:
    user: User | None = None
    refusal: Refusal | None = None
    created: bool = False


def _usable(user: User) -> bool:
    return user.is_active and user.deleted_at is None


async def resolve(session: AsyncSession, provider: str, claims: dict[str, Any]) -> IdentityResult:
    subject = str(claims["sub"])
    linked = await session.scalar(
        select(User)
        .join(OidcIdentity, OidcIdentity.user_id == User.id)
        .where(OidcIdentity.provider == provider, OidcIdentity.subject == subject)
    )
    if linked is not None:
        return IdentityResult(user=linked) if _usable(linked) else IdentityResult(refusal=Refusal.DISABLED)
    email = normalise_email(str(claims.get("email") or ""))
    if not email:
        return IdentityResult(refusal=Refusal.NO_ACCOUNT)
    if claims.get("email_verified") is not True:
        return IdentityResult(refusal=Refusal.UNVERIFIED)
    user = await session.scalar(select(User).where(User.email == email))
    if user is not None:
        if not _usable(user):
            return IdentityResult(refusal=Refusal.DISABLED)
        _link(session, provider, subject, user)
        return IdentityResult(user=user)
    invitation = await session.scalar(
        select(Invitation)
        .where(Invitation.email == email, Invitation.accepted_at.is_(None), Invitation.expires_at > utcnow())
        .order_by(Invitation.created_at)
        .limit(1)
    )
    if invitation is None:
        return IdentityResult(refusal=Refusal.NO_ACCOUNT)
    name = _shown_name(claims.get("name"), email)
    user = User(email=email, password_hash=None, display_name=name)
    session.add(user)
    await session.flush()
    _add_membership(session, invitation, user)
    invitation.accepted_at = utcnow()
    invitation.accepted_by_id = user.id
    audit.record(session, action="invitation.accept", actor_id=user.id, cycle_id=invitation.cycle_id,
                 target_kind="invitation", target_id=invitation.id, via=provider)  # fmt: skip
    _link(session, provider, subject, user)
    return IdentityResult(user=user, created=True)


def _shown_name(claimed: object, email: str) -> str:
    """The provider's name for the person, unless it hides characters or has no letter."""
    name = lookalikes.normalise(" ".join(str(claimed or "").split()))[:120]
    if not name or lookalikes.has_hidden_characters(name) or not lookalikes.has_letter(name):
        return email.split("@")[0][:120]
    return name


def _link(session: AsyncSession, provider: str, subject: str, user: User) -> None:
    session.add(OidcIdentity(provider=provider, subject=subject, user_id=user.id))
    audit.record(session, action="oidc.link", actor_id=user.id, target_kind="user", target_id=user.id,
                 provider=provider)  # fmt: skip
