"""Which account an OpenID Connect identity signs in to: a linked one; for a provider trusted with
addresses (`link_by_email`), one with the same verified e-mail address or one a pending invitation
allows; otherwise none (refused with a clear page). People link an identity to their account from
their profile (`link`), whatever the provider."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from workspace.accounts import lookalikes
from workspace.accounts.models import OidcIdentity, User
from workspace.accounts.services import normalise_email
from workspace.accounts.signals import identity_without_account
from workspace.core import audit


class Refusal(enum.StrEnum):
    NO_ACCOUNT = "no_account"
    UNVERIFIED = "unverified"
    DISABLED = "disabled"
    NOT_LINKED = "not_linked"
    """The provider is not trusted with addresses and the identity is linked to no account."""
    LINKED_ELSEWHERE = "linked_elsewhere"
    """Linking from a profile: the identity already belongs to another account."""


@dataclass(frozen=True)
class IdentityResult:
    user: User | None = None
    refusal: Refusal | None = None
    created: bool = False


def _usable(user: User) -> bool:
    return user.is_active and user.deleted_at is None


async def resolve(
    session: AsyncSession, provider: str, claims: dict[str, Any], *, link_by_email: bool = False
) -> IdentityResult:
    subject = str(claims["sub"])
    linked = await session.scalar(
        select(User)
        .join(OidcIdentity, OidcIdentity.user_id == User.id)
        .where(OidcIdentity.provider == provider, OidcIdentity.subject == subject)
    )
    if linked is not None:
        return IdentityResult(user=linked) if _usable(linked) else IdentityResult(refusal=Refusal.DISABLED)
    if not link_by_email:
        return IdentityResult(refusal=Refusal.NOT_LINKED)
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
    user = await _account_from_elsewhere(session, email, _shown_name(claims.get("name"), email), provider)
    if user is None:
        return IdentityResult(refusal=Refusal.NO_ACCOUNT)
    _link(session, provider, subject, user)
    return IdentityResult(user=user, created=True)


async def _account_from_elsewhere(session: AsyncSession, email: str, name: str, provider: str) -> User | None:
    """An account another domain makes for this verified address (an invitation to it, in cycles)."""
    for _receiver, user in await identity_without_account.send_async(
        email, session=session, name=name, provider=provider
    ):
        if isinstance(user, User):
            return user
    return None


async def link(session: AsyncSession, provider: str, claims: dict[str, Any], user: User) -> IdentityResult:
    """The signed-in person proved both: their account, and the identity at the provider."""
    subject = str(claims["sub"])
    owner = await session.scalar(
        select(OidcIdentity.user_id).where(OidcIdentity.provider == provider, OidcIdentity.subject == subject)
    )
    if owner is not None and owner != user.id:
        return IdentityResult(refusal=Refusal.LINKED_ELSEWHERE)
    if owner is None:
        _link(session, provider, subject, user)
    return IdentityResult(user=user)


async def identities_of(session: AsyncSession, user_id: UUID) -> list[OidcIdentity]:
    return list(
        (
            await session.scalars(
                select(OidcIdentity).where(OidcIdentity.user_id == user_id).order_by(OidcIdentity.created_at)
            )
        ).all()
    )


class UnlinkRefusedError(Exception):
    """Removing this identity would leave the account without a way in (no password)."""


async def unlink(session: AsyncSession, identity_id: UUID, user: User) -> bool:
    """False when the identity is not the person's; UnlinkRefusedError when it is their only way in."""
    identity = await session.get(OidcIdentity, identity_id)
    if identity is None or identity.user_id != user.id:
        return False
    account = await session.get(User, user.id)
    if account is not None and account.password_hash is None and len(await identities_of(session, user.id)) == 1:
        raise UnlinkRefusedError
    await session.delete(identity)
    audit.record(
        session,
        action="oidc.unlink",
        actor_id=user.id,
        target_kind="user",
        target_id=user.id,
        provider=identity.provider,
    )
    return True


def _shown_name(claimed: object, email: str) -> str:
    """The provider's name for the person, unless it hides characters or has no letter."""
    name = lookalikes.normalise(" ".join(str(claimed or "").split()))[:120]
    if not name or lookalikes.has_hidden_characters(name) or not lookalikes.has_letter(name):
        return email.split("@")[0][:120]
    return name


def _link(session: AsyncSession, provider: str, subject: str, user: User) -> None:
    session.add(OidcIdentity(provider=provider, subject=subject, user_id=user.id))
    audit.record(
        session, action="oidc.link", actor_id=user.id, target_kind="user", target_id=user.id, provider=provider
    )
