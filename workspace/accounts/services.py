"""Accounts: signing in, invitations and sign-up, password resets, the profile."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from workspace.accounts import lookalikes
from workspace.accounts.models import (
    TERRITORY_SIDES,
    ActorKind,
    Invitation,
    Language,
    MembershipRole,
    PasswordReset,
    Side,
    Territory,
    User,
)
from workspace.core import audit
from workspace.core.forms import Form, FormError
from workspace.core.i18n import current_language
from workspace.core.i18n import gettext as _
from workspace.core.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, hash_password, verify_password
from workspace.core.tokens import hash_token, new_token, utcnow
from workspace.cycles.access import CycleAccess
from workspace.cycles.models import Cycle, Membership, WorkingGroup

INVITATION_LIFETIME = timedelta(days=30)
RESET_LIFETIME = timedelta(hours=2)
EMAIL_MAX = 254


def normalise_email(email: str) -> str:
    return lookalikes.normalise(email).strip().lower()


def _check_email(form: Form, name: str = "email", *, required: bool = True) -> str:
    email = normalise_email(form.text(name, required=required, max_length=EMAIL_MAX))
    form.values[name] = email
    if email and lookalikes.has_hidden_characters(email):
        form.add_error(name, _("This address holds an invisible or control character: type it again."))
    elif email and lookalikes.mixes_alphabets(email):
        form.add_error(name, _("This address mixes look-alike letters of different alphabets: type it again."))
    elif email and (
        "@" not in email or email.startswith("@") or email.endswith("@") or any(c.isspace() for c in email)
    ):
        form.add_error(name, _("Enter an e-mail address like name@example.org."))
    return email


def _check_shown_name(form: Form, name: str, *, required: bool, max_length: int) -> None:
    """A name others read: no hidden characters, no look-alike letters mixed in a word."""
    value = lookalikes.normalise(form.text(name, required=required, max_length=max_length))
    form.values[name] = value
    if not value:
        return
    if lookalikes.has_hidden_characters(value):
        form.add_error(name, _("This text holds invisible characters or line breaks: type it again on one line."))
    elif required and not lookalikes.has_letter(value):
        form.add_error(name, _("Write a name with letters."))
    elif lookalikes.mixes_alphabets(value):
        form.add_error(name, _("A word here mixes look-alike letters of different alphabets: type it again."))


def _check_new_password(form: Form) -> str:
    password = form.values.get("password", "")
    confirm = form.values.get("password_confirm", "")
    if len(password) < MIN_PASSWORD_LENGTH:
        form.add_error("password", _("Choose a password of at least %(min)s characters.", min=MIN_PASSWORD_LENGTH))
    elif len(password) > MAX_PASSWORD_LENGTH:
        form.add_error("password", _("This password is too long."))
    elif password != confirm:
        form.add_error("password_confirm", _("The two passwords differ."))
    # Passwords are never sent back to the browser.
    form.values.pop("password", None)
    form.values.pop("password_confirm", None)
    return password


async def authenticate(session: AsyncSession, email: str, password: str) -> User | None:
    """The account if the password is right and the account usable, else None (the argon2 check runs
    for unknown addresses too, so the answer takes as long). Tries are counted by `throttle`."""
    user = await session.scalar(select(User).where(User.email == normalise_email(email)))
    valid = await verify_password(user.password_hash if user else None, password)
    if user is None or not valid or not user.is_active or user.deleted_at is not None:
        return None
    return user


async def record_sign_in(session: AsyncSession, user_id: UUID) -> None:
    user = await session.get(User, user_id)
    if user is not None:
        user.last_login_at = utcnow()


async def sign_out_everywhere(session: AsyncSession, user_id: UUID, *, actor_id: UUID | None) -> None:
    """Every session opened so far stops being valid (they carry the old epoch)."""
    await session.execute(update(User).where(User.id == user_id).values(session_epoch=User.session_epoch + 1))
    audit.record(session, action="sessions.revoke", actor_id=actor_id, target_kind="user", target_id=user_id)


# Profile -------------------------------------------------------------------------------------------


def _check_profile(form: Form) -> None:
    _check_shown_name(form, "display_name", required=True, max_length=120)
    _check_shown_name(form, "organisation", required=False, max_length=200)
    form.choice("territory", [t.value for t in Territory])
    form.choice("side", [s.value for s in Side], required=False)
    form.choice("actor_kind", [k.value for k in ActorKind])
    form.choice("language", [lang.value for lang in Language])


def _apply_profile(user: User, form: Form) -> None:
    user.display_name = form.get("display_name")
    user.organisation = form.get("organisation")
    user.territory = Territory(form.get("territory"))
    side = form.get("side")
    user.side = Side(side) if side else TERRITORY_SIDES.get(user.territory)
    user.actor_kind = ActorKind(form.get("actor_kind"))
    user.language = Language(form.get("language"))


def profile_form(user: User) -> Form:
    return Form(
        values={
            "display_name": user.display_name,
            "organisation": user.organisation,
            "territory": user.territory.value,
            "side": user.side.value if user.side else "",
            "actor_kind": user.actor_kind.value,
            "language": user.language.value,
        }
    )


async def update_profile(session: AsyncSession, user_id: UUID, form: Form) -> User:
    _check_profile(form)
    if not form.is_valid:
        raise FormError(form)
    user = await session.get(User, user_id)
    assert user is not None
    _apply_profile(user, form)
    return user


async def set_language(session: AsyncSession, user_id: UUID, language: str) -> None:
    user = await session.get(User, user_id)
    if user is not None and language in Language._value2member_map_:
        user.language = Language(language)


# Invitations ---------------------------------------------------------------------------------------


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
    elif normalise_email(email) != normalise_email(invitation.email):
        raise InvitationRefusedError(OTHER_ADDRESS)


async def create_invitation(session: AsyncSession, access: CycleAccess, form: Form, actor: User) -> IssuedInvitation:
    """A facilitator (or admin) invites someone by address into the cycle with a role and, optionally, a
    group. Only an admin may make an open link (no address: anyone holding it joins), and only as member."""
    cycle = access.cycle
    group_ids = {
        str(group_id)
        for group_id in (await session.scalars(select(WorkingGroup.id).where(WorkingGroup.cycle_id == cycle.id)))
    }
    open_link = form.get("open_link") == "1"
    email = _check_email(form, required=False)
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
    email = _check_email(form)
    if invitation.email and email and email != invitation.email:
        form.add_error("email", _("This invitation was sent to another address."))
    _check_profile(form)
    password = _check_new_password(form)
    if email and await session.scalar(select(func.count()).select_from(User).where(User.email == email)):
        form.add_error("email", _("An account already uses this address. Sign in instead."))
    if not form.is_valid:
        raise FormError(form)
    user = User(email=email, password_hash=await hash_password(password))
    _apply_profile(user, form)
    session.add(user)
    await session.flush()
    _add_membership(session, invitation, user)
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
    return user


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
        _add_membership(session, invitation, user)
    invitation.accepted_at = utcnow()
    invitation.accepted_by_id = user.id
    audit.record(session, action="invitation.accept", actor_id=user.id, cycle_id=cycle.id,
                 target_kind="invitation", target_id=invitation.id)  # fmt: skip
    return True


def _add_membership(session: AsyncSession, invitation: Invitation, user: User) -> None:
    session.add(
        Membership(
            user_id=user.id,
            cycle_id=invitation.cycle_id,
            group_id=invitation.group_id,
            role=invitation.role,
            institution=invitation.institution,
        )
    )


# Password reset ------------------------------------------------------------------------------------


async def request_password_reset(session: AsyncSession, form: Form) -> tuple[User, str] | None:
    """Returns the user and the token to mail, or None; the caller says the same either way."""
    email = _check_email(form)
    if not form.is_valid:
        raise FormError(form)
    user = await session.scalar(select(User).where(User.email == email, User.is_active.is_(True)))
    if user is None:
        return None
    token, token_hash = new_token()
    session.add(PasswordReset(token_hash=token_hash, user_id=user.id, expires_at=utcnow() + RESET_LIFETIME))
    return user, token


async def open_password_reset(session: AsyncSession, token: str) -> PasswordReset | None:
    reset = await session.scalar(select(PasswordReset).where(PasswordReset.token_hash == hash_token(token)))
    if reset is None or reset.used_at is not None or reset.expires_at <= utcnow():
        return None
    return reset


async def reset_password(session: AsyncSession, token: str, form: Form) -> User:
    reset = await open_password_reset(session, token)
    if reset is None:
        form.add_error("token", _("This reset link is no longer valid. Ask for a new one."))
        raise FormError(form)
    password = _check_new_password(form)
    if not form.is_valid:
        raise FormError(form)
    user = await session.get(User, reset.user_id)
    assert user is not None
    user.password_hash = await hash_password(password)
    user.session_epoch = (user.session_epoch or 0) + 1  # a new password signs out every other session
    reset.used_at = utcnow()
    audit.record(session, action="password.reset", actor_id=user.id, target_kind="user", target_id=user.id)
    return user


async def memberships_of(session: AsyncSession, user: User) -> list[Membership]:
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
