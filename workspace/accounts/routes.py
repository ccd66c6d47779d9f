"""Sign in and out, sign up through an invitation, reset a password, edit one's profile."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from babel.dates import format_timedelta
from litestar import Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from workspace.accounts import identity, services
from workspace.accounts.models import ActorKind, Language, Side, Territory, User
from workspace.accounts.sessions import open_signed_in_session, renew_session
from workspace.core.forms import Form, FormError
from workspace.core.i18n import FORMAT_LOCALES, LANGUAGE_COOKIE, LANGUAGES, current_language
from workspace.core.i18n import gettext as _
from workspace.core.mail import send_after_response
from workspace.core.web import DbSession, notify, read_form, requires_user, safe_next, see_other, signed_in

LANGUAGE_COOKIE_AGE = 365 * 24 * 3600


def _profile_choices() -> dict[str, Any]:
    return {
        "territories": list(Territory),
        "sides": list(Side),
        "actor_kinds": list(ActorKind),
        "languages": list(Language),
    }


@get("/login", name="login")
async def login_page(request: Request, next: FromQuery[str | None] = None) -> Template | Redirect:
    if signed_in_user := request.scope.get("user"):
        assert isinstance(signed_in_user, User)
        return Redirect(safe_next(next))
    return Template("accounts/login.html", context=_login_context(request, Form(), safe_next(next)))


def _login_context(request: Request, form: Form, target: str) -> dict[str, Any]:
    providers = sorted(request.app.state.oidc.providers.values(), key=lambda provider: provider.display_name)
    return {"form": form, "next": target, "providers": providers}


DEVICE_COOKIE_AGE = 365 * 24 * 3600


def _wait_text(seconds: int) -> str:
    locale = FORMAT_LOCALES[current_language.get()]
    return format_timedelta(timedelta(seconds=seconds), locale=locale)


def _throttled(request: Request, form: Form, target: str, seconds: int) -> Template:
    form.add_error(
        "form",
        _("Too many wrong passwords for this address. Try again in %(delay)s.", delay=_wait_text(seconds)),
    )
    context = {**_login_context(request, form, target), "throttled": True}
    return Template("accounts/login.html", context=context, status_code=429)


def remember_device(request: Request, response: Redirect, address: str) -> None:
    """Mark the browser as one that signed in to `address`: the throttle keeps its tries apart."""
    settings = request.app.state.settings
    name = settings.device_cookie_name
    value = request.app.state.device_cookie.with_address(request.cookies.get(name), address)
    response.set_cookie(name, value, max_age=DEVICE_COOKIE_AGE, httponly=True, samesite="lax",
                        secure=settings.secure_cookies, path="/")  # fmt: skip


@post("/login")
async def login(request: Request, db_session: DbSession) -> Template | Redirect:
    form = await read_form(request)
    email = form.text("email", required=True, max_length=254)
    password = form.values.pop("password", "")
    if not password:
        form.add_error("password", _("Enter your password."))
    target = safe_next(form.get("next"))
    if not form.is_valid:
        return Template("accounts/login.html", context=_login_context(request, form, target), status_code=400)
    address = services.normalise_email(email)
    throttle = request.app.state.sign_in_throttle
    device = request.app.state.device_cookie.device_for(
        request.cookies.get(request.app.state.settings.device_cookie_name), address
    )
    attempt = throttle.attempt(address, request.client.host if request.client else "", device)
    reservation = await throttle.reserve(attempt)
    if not reservation.allowed:
        return _throttled(request, form, target, reservation.seconds_left(throttle.clock()))
    user = await services.authenticate(db_session, address, password)
    if user is None:
        if reservation.wait_until:
            return _throttled(request, form, target, reservation.seconds_left(throttle.clock()))
        form.add_error("form", _("The e-mail address or the password is not right."))
        return Template("accounts/login.html", context=_login_context(request, form, target), status_code=400)
    await throttle.succeeded(attempt)
    await services.record_sign_in(db_session, user.id)
    open_signed_in_session(request, user)
    response = see_other(target)
    remember_device(request, response, address)
    return response


@post("/logout", name="logout")
async def logout(request: Request) -> Redirect:
    request.clear_session()
    return see_other("/")


@post("/sessions/revoke", name="sign_out_everywhere", guards=[requires_user])
async def sign_out_everywhere(request: Request, db_session: DbSession) -> Redirect:
    user = signed_in(request)
    await services.sign_out_everywhere(db_session, user.id, actor_id=user.id)
    renew_session(request)
    request.set_session({})
    notify(request, _("You have been signed out on every device. Sign in again to go on."))
    return see_other("/login")


@post("/language", name="set_language")
async def set_language(request: Request, db_session: DbSession) -> Redirect:
    form = await read_form(request)
    language = form.get("language")
    target = safe_next(form.get("next"))
    response = see_other(target)
    if language in LANGUAGES:
        user = request.scope.get("user")
        if isinstance(user, User):
            await services.set_language(db_session, user.id, language)
        secure = request.app.state.settings.secure_cookies
        response.set_cookie(
            LANGUAGE_COOKIE, language, max_age=LANGUAGE_COOKIE_AGE, httponly=True, samesite="lax", secure=secure
        )
    return response


def _invitation_refused(request: Request, reason: str) -> Template:
    user = request.scope.get("user")
    context = {"reason": reason, "account_email": user.email if isinstance(user, User) else None}
    return Template("accounts/invitation_refused.html", context=context, status_code=403)


@get("/signup/{token:str}", name="signup")
async def signup_page(request: Request, db_session: DbSession, token: FromPath[str]) -> Template:
    opened = await services.open_invitation(db_session, token)
    if opened is None:
        return Template("accounts/invitation_invalid.html", status_code=404)
    invitation, cycle, group = opened
    context = {"invitation": invitation, "cycle": cycle, "group": group, "token": token}
    user = request.scope.get("user")
    try:
        services.check_usable_by(invitation, user.email if isinstance(user, User) else invitation.email or "")
    except services.InvitationRefusedError as refused:
        return _invitation_refused(request, refused.reason)
    if user is not None:
        return Template("accounts/invitation_join.html", context=context)
    form = Form(values={"email": invitation.email or "", "language": invitation.language or "fr"})
    return Template("accounts/signup.html", context={**context, "form": form, **_profile_choices()})


@post("/signup/{token:str}")
async def signup(request: Request, db_session: DbSession, token: FromPath[str]) -> Template | Redirect:
    form = await read_form(request)
    try:
        user = await services.sign_up(db_session, token, form)
    except services.InvitationRefusedError as refused:
        return _invitation_refused(request, refused.reason)
    except FormError as error:
        opened = await services.open_invitation(db_session, token)
        if opened is None:
            return Template("accounts/invitation_invalid.html", status_code=404)
        invitation, cycle, group = opened
        context = {"invitation": invitation, "cycle": cycle, "group": group, "token": token}
        return Template(
            "accounts/signup.html", context={**context, "form": error.form, **_profile_choices()}, status_code=400
        )
    open_signed_in_session(request, user)
    notify(request, _("Welcome to Passerelle, %(name)s.", name=user.display_name))
    return see_other("/")


@post("/invitations/{token:str}/accept", guards=[requires_user])
async def accept_invitation(request: Request, db_session: DbSession, token: FromPath[str]) -> Template | Redirect:
    try:
        accepted = await services.accept_as_member(db_session, token, signed_in(request))
    except services.InvitationRefusedError as refused:
        return _invitation_refused(request, refused.reason)
    if not accepted:
        return Template("accounts/invitation_invalid.html", status_code=404)
    notify(request, _("You have joined the cycle."))
    return see_other("/")


@get("/password/forgot", name="password_forgot")
async def password_forgot_page() -> Template:
    return Template("accounts/password_forgot.html", context={"form": Form()})


@post("/password/forgot")
async def password_forgot(request: Request, db_session: DbSession) -> Template:
    """The same answer, as fast, whether the address has an account or not: the mail leaves after it."""
    form = await read_form(request)
    try:
        issued = await services.request_password_reset(db_session, form)
    except FormError as error:
        return Template("accounts/password_forgot.html", context={"form": error.form}, status_code=400)
    answer = Template("accounts/password_forgot_sent.html", context={"email": form.get("email")})
    if issued is not None:
        user, token = issued
        settings = request.app.state.settings
        link = f"{settings.base_url}/password/reset/{token}"
        answer.background = send_after_response(
            request,
            to=user.email,
            subject=_("Reset your Passerelle password"),
            body=_(
                "Someone asked to reset the password of your Passerelle account.\n"
                "To choose a new password, open this link within two hours:\n%(link)s\n\n"
                "If it was not you, ignore this message.",
                link=link,
            ),
        )
    return answer


@get("/password/reset/{token:str}", name="password_reset")
async def password_reset_page(db_session: DbSession, token: FromPath[str]) -> Template:
    if await services.open_password_reset(db_session, token) is None:
        return Template("accounts/reset_invalid.html", status_code=404)
    return Template("accounts/password_reset.html", context={"form": Form(), "token": token})


@post("/password/reset/{token:str}")
async def password_reset(request: Request, db_session: DbSession, token: FromPath[str]) -> Template | Redirect:
    form = await read_form(request)
    try:
        user = await services.reset_password(db_session, token, form)
    except FormError as error:
        if "token" in error.form.errors:
            return Template("accounts/reset_invalid.html", status_code=404)
        return Template("accounts/password_reset.html", context={"form": error.form, "token": token}, status_code=400)
    renew_session(request)
    request.set_session({})
    notify(request, _("Your password has been changed. You can sign in with it now."))
    response = see_other("/login")
    remember_device(request, response, user.email)  # the mailbox was proved: this browser is the person's
    return response


async def _profile_context(request: Request, db_session: DbSession, user: User, form: Form) -> dict[str, Any]:
    providers = request.app.state.oidc.providers
    linked = await identity.identities_of(db_session, user.id)
    linked_keys = {found.provider for found in linked}
    return {
        "form": form,
        "memberships": await services.memberships_of(db_session, user),
        "identities": [(found, providers.get(found.provider)) for found in linked],
        "linkable": sorted((p for p in providers.values() if p.key not in linked_keys), key=lambda p: p.display_name),
        **_profile_choices(),
    }


@get("/profile", name="profile", guards=[requires_user])
async def profile_page(request: Request, db_session: DbSession) -> Template:
    user = signed_in(request)
    context = await _profile_context(request, db_session, user, services.profile_form(user))
    return Template("accounts/profile.html", context=context)


@post("/profile", guards=[requires_user])
async def update_profile(request: Request, db_session: DbSession) -> Template | Redirect:
    user = signed_in(request)
    form = await read_form(request)
    try:
        await services.update_profile(db_session, user.id, form)
    except FormError as error:
        context = await _profile_context(request, db_session, user, error.form)
        return Template("accounts/profile.html", context=context, status_code=400)
    notify(request, _("Your profile has been saved."))
    return see_other("/profile")


account_routes = [
    login_page,
    login,
    logout,
    sign_out_everywhere,
    set_language,
    signup_page,
    signup,
    accept_invitation,
    password_forgot_page,
    password_forgot,
    password_reset_page,
    password_reset,
    profile_page,
    update_profile,
]
