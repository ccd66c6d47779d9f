"""Accounts: signing in, password resets, the profile."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from workspace.accounts import lookalikes
from workspace.accounts.models import (
    TERRITORY_SIDES,
    ActorKind,
    Language,
    PasswordReset,
    Side,
    Territory,
    User,
)
from workspace.core import audit
from workspace.core.forms import Form, FormError
from workspace.core.i18n import gettext as _
from workspace.core.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, hash_password, verify_password
from workspace.core.tokens import hash_token, new_token, utcnow

RESET_LIFETIME = timedelta(hours=2)
EMAIL_MAX = 254


def normalise_email(email: str) -> str:
    return lookalikes.normalise(email).strip().lower()


def check_email(form: Form, name: str = "email", *, required: bool = True) -> str:
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


def check_new_password(form: Form) -> str:
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


def check_profile(form: Form) -> None:
    _check_shown_name(form, "display_name", required=True, max_length=120)
    _check_shown_name(form, "organisation", required=False, max_length=200)
    form.choice("territory", [t.value for t in Territory])
    form.choice("side", [s.value for s in Side], required=False)
    form.choice("actor_kind", [k.value for k in ActorKind])
    form.choice("language", [lang.value for lang in Language])


def apply_profile(user: User, form: Form) -> None:
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
    check_profile(form)
    if not form.is_valid:
        raise FormError(form)
    user = await session.get(User, user_id)
    assert user is not None
    apply_profile(user, form)
    return user


async def set_language(session: AsyncSession, user_id: UUID, language: str) -> None:
    user = await session.get(User, user_id)
    if user is not None and language in Language._value2member_map_:
        user.language = Language(language)


# Password reset ------------------------------------------------------------------------------------


async def request_password_reset(session: AsyncSession, form: Form) -> tuple[User, str] | None:
    """Returns the user and the token to mail, or None; the caller says the same either way."""
    email = check_email(form)
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
    password = check_new_password(form)
    if not form.is_valid:
        raise FormError(form)
    user = await session.get(User, reset.user_id)
    assert user is not None
    user.password_hash = await hash_password(password)
    user.session_epoch = (user.session_epoch or 0) + 1  # a new password signs out every other session
    reset.used_at = utcnow()
    audit.record(session, action="password.reset", actor_id=user.id, target_kind="user", target_id=user.id)
    return user
