"""Invitations into a cycle: made by facilitators and admins, followed by the person they name (an open
link only by an admin, for members), with sign-up for someone without an account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from workspace.accounts import services as accounts
from workspace.accounts.models import Language, MembershipRole, User
from workspace.core import audit
from workspace.core.forms import Form, FormError
from workspace.core.i18n import current_language
from workspace.core.i18n import gettext as _
from workspace.core.passwords import hash_password
from workspace.core.tokens import hash_token, new_token, utcnow
from workspace.cycles.access import CycleAccess
from workspace.cycles.models import Cycle, Invitation, Membership, WorkingGroup

INVITATION_LIFETIME = timedelta(days=30)


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    token: str


class InvitationRefusedError(Exception):
    """The invitation exists but cannot be used by this person; `reason` says why for the page."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


OTHER_ADDRESS = "other_address"
"""The invitation names an address that is not the signed-in person's."""
OPEN_LINK_ROLE = "open_link_role"
"""An open link (no address) with a role above member, made before open links were limited."""


def is_open_link(invitation: Invitation) -> bool:
    return invitation.email is None


def check_usable_by(invitation: Invitation, email: str) -> None:
    """Raises InvitationRefusedError unless `email` may use the invitation: an addressed invitation only
    for its address; an open link (an admin's choice) only with the member role."""
    if invitation.email is None:
        if invitation.role != MembershipRole.MEMBER:
            raise InvitationRefusedError(OPEN_LINK_ROLE)
    elif accounts.normalise_email(email) != accounts.normalise_email(invitation.email):
        raise InvitationRefusedError(OTHER_ADDRESS)


def _check_invitation(
    form: Form, access: CycleAccess, group_ids: set[str], *, open_link: bool, email: str | None
) -> tuple[str, str]:
    """The invitation form's rules: who may invite whom, and the address an invitation needs (an open link
    none); raises FormError with every refusal by its field. Returns the chosen working group ("" for none)
    and the language of the mail (the form's choice, else the page's)."""
    form.choice("role", [r.value for r in MembershipRole])
    group_value = form.choice("group_id", sorted(group_ids), required=False)
    form.text("institution", max_length=200)
    form.text("note", max_length=2000)
    language = form.choice("language", [choice.value for choice in Language], required=False) or current_language.get()
    if form.get("role") == MembershipRole.AUTHORITY and not form.get("institution"):
        form.add_error("institution", _("Name the institution this reviewer answers for."))
    if form.get("role") == MembershipRole.FACILITATOR and not access.is_admin and not access.is_facilitator:
        form.add_error("role", _("Only facilitators and admins can invite facilitators."))
    if open_link:
        if not access.is_admin:
            form.add_error("email", _("Only admins can make an open link: enter the address of the person you invite."))
        elif email:
            form.add_error("email", _("An open link has no address: leave this field empty, or untick the open link."))
        if form.get("role") and form.get("role") != MembershipRole.MEMBER:
            form.add_error("role", _("An open link can only make members."))
    elif not email:
        form.add_error("email", _("Enter the address of the person you invite: only that address can use the link."))
    if not form.is_valid:
        raise FormError(form)
    return group_value, language


async def create_invitation(session: AsyncSession, access: CycleAccess, form: Form, actor: User) -> IssuedInvitation:
    """A facilitator (or admin) invites someone by address into the cycle with a role and, optionally, a
    group. Only an admin may make an open link (no address: anyone holding it joins), and only as member."""
    cycle = access.cycle
    group_ids = {
        str(group_id)
        for group_id in (
            await session.scalars(
                select(WorkingGroup.id).where(WorkingGroup.cycle_id == cycle.id, WorkingGroup.archived_at.is_(None))
            )
        )
    }
    open_link = form.get("open_link") == "1"
    email = accounts.check_email(form, required=False)
    group_value, language = _check_invitation(form, access, group_ids, open_link=open_link, email=email)
    if email:
        account_language = await session.scalar(select(User.language).where(User.email == email))
        language = account_language.value if account_language is not None else language
    token, token_hash = new_token()
    invitation = Invitation(
        token_hash=token_hash,
        email=form.get("email") or None,
        role=MembershipRole(form.get("role")),
        cycle_id=cycle.id,
        group_id=UUID(group_value) if group_value else None,
        institution=form.get("institution") or None,
        note=form.get("note"),
        created_by_id=actor.id,
        expires_at=utcnow() + INVITATION_LIFETIME,
        language=language,
        mail_status="waiting" if email else "",
    )
    session.add(invitation)
    await session.flush()
    audit.record(
        session,
        action="invitation.create",
        actor_id=actor.id,
        cycle_id=cycle.id,
        target_kind="invitation",
        target_id=invitation.id,
        role=invitation.role.value,
    )
    return IssuedInvitation(invitation=invitation, token=token)


async def open_invitation(session: AsyncSession, token: str) -> tuple[Invitation, Cycle, WorkingGroup | None] | None:
    invitation = await session.scalar(select(Invitation).where(Invitation.token_hash == hash_token(token)))
    if invitation is None or invitation.accepted_at is not None or invitation.expires_at <= utcnow():
        return None
    cycle = await session.get(Cycle, invitation.cycle_id)
    group = await session.get(WorkingGroup, invitation.group_id) if invitation.group_id else None
    assert cycle is not None
    return invitation, cycle, group


async def pending_invitations(session: AsyncSession, cycle: Cycle) -> list[Invitation]:
    return list(
        (
            await session.scalars(
                select(Invitation)
                .where(
                    Invitation.cycle_id == cycle.id, Invitation.accepted_at.is_(None), Invitation.expires_at > utcnow()
                )
                .order_by(Invitation.created_at.desc())
            )
        ).all()
    )


async def sign_up(session: AsyncSession, token: str, form: Form) -> User:
    """Create the account an invitation allows, with its membership, in one transaction."""
    opened = await open_invitation(session, token)
    if opened is None:
        form.add_error("token", _("This invitation link is no longer valid."))
        raise FormError(form)
    invitation, cycle, _group = opened
    if is_open_link(invitation) and invitation.role != MembershipRole.MEMBER:
        raise InvitationRefusedError(OPEN_LINK_ROLE)
    email = accounts.check_email(form)
    if invitation.email and email and email != invitation.email:
        form.add_error("email", _("This invitation was sent to another address."))
    accounts.check_profile(form)
    password = accounts.check_new_password(form)
    if email and await session.scalar(select(func.count()).select_from(User).where(User.email == email)):
        form.add_error("email", _("An account already uses this address. Sign in instead."))
    if not form.is_valid:
        raise FormError(form)
    user = User(email=email, password_hash=await hash_password(password))
    accounts.apply_profile(user, form)
    session.add(user)
    await session.flush()
    await add_membership(session, invitation, user)
    _mark_accepted(session, invitation, cycle, user)
    return user


def _mark_accepted(session: AsyncSession, invitation: Invitation, cycle: Cycle, user: User) -> None:
    invitation.accepted_at = utcnow()
    invitation.accepted_by_id = user.id
    audit.record(
        session,
        action="invitation.accept",
        actor_id=user.id,
        cycle_id=cycle.id,
        target_kind="invitation",
        target_id=invitation.id,
    )


async def accept_as_member(session: AsyncSession, token: str, user: User) -> bool:
    """A signed-in person follows an invitation: they join the cycle with their existing account, if the
    invitation is for their address (or an open link). False when the link is unknown, used or expired;
    InvitationRefusedError when it is not theirs (nothing is changed: the invitation stays unused)."""
    opened = await open_invitation(session, token)
    if opened is None:
        return False
    invitation, cycle, _group = opened
    check_usable_by(invitation, user.email)
    existing = await session.scalar(
        select(Membership.id).where(
            Membership.user_id == user.id,
            Membership.cycle_id == cycle.id,
            Membership.group_id == invitation.group_id if invitation.group_id else Membership.group_id.is_(None),
        )
    )
    if existing is None:
        await add_membership(session, invitation, user)
    _mark_accepted(session, invitation, cycle, user)
    return True


async def add_membership(session: AsyncSession, invitation: Invitation, user: User) -> None:
    """The invited person joins the cycle, in the invitation's working group unless it was archived since
    (then in no group, as with an invitation made without one: a facilitator places them)."""
    group_id = invitation.group_id
    if group_id is not None:
        archived = await session.scalar(select(WorkingGroup.archived_at).where(WorkingGroup.id == group_id))
        group_id = None if archived is not None else group_id
    session.add(
        Membership(
            user_id=user.id,
            cycle_id=invitation.cycle_id,
            group_id=group_id,
            role=invitation.role,
            institution=invitation.institution,
        )
    )


async def account_for_invited_address(session: AsyncSession, email: str, name: str, provider: str) -> User | None:
    """The account an identity provider's verified address may have at once: when an invitation to that
    address is pending, it is made (without a password) and joins the cycle as invited."""
    invitation = await session.scalar(
        select(Invitation)
        .where(Invitation.email == email, Invitation.accepted_at.is_(None), Invitation.expires_at > utcnow())
        .order_by(Invitation.created_at)
        .limit(1)
    )
    if invitation is None:
        return None
    user = User(email=email, password_hash=None, display_name=name)
    session.add(user)
    await session.flush()
    await add_membership(session, invitation, user)
    invitation.accepted_at = utcnow()
    invitation.accepted_by_id = user.id
    audit.record(
        session,
        action="invitation.accept",
        actor_id=user.id,
        cycle_id=invitation.cycle_id,
        target_kind="invitation",
        target_id=invitation.id,
        via=provider,
    )
    return user
