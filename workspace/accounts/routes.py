"""Sign in and out, reset a forgotten password, edit one's profile."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from babel.dates import format_timedelta
from litestar import Controller, Request, get, post
from litestar.background_tasks import BackgroundTask
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from workspace.accounts import identity, services
from workspace.accounts.guards import CurrentUser, SignedIn, requires_user
from workspace.accounts.models import ActorKind, Language, Side, Territory, User
from workspace.accounts.sessions import open_signed_in_session, renew_session
from workspace.accounts.signals import profile_opened
from workspace.core.forms import Form, FormError
from workspace.core.i18n import FORMAT_LOCALES, LANGUAGE_COOKIE, LANGUAGES, current_language
from workspace.core.i18n import gettext as _
from workspace.core.mail import send_after_response
from workspace.core.web import DbSession, notify, read_form, safe_next, see_other

LANGUAGE_COOKIE_AGE = 365 * 24 * 3600


def profile_choices() -> dict[str, Any]:
    return {
        "territories": list(Territory),
        "sides": list(Side),
        "actor_kinds": list(ActorKind),
        "languages": list(Language),
    }


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
    response.set_cookie(
        name, value, max_age=DEVICE_COOKIE_AGE, httponly=True, samesite="lax", secure=settings.secure_cookies, path="/"
    )


class SignInController(Controller):
    """Signing in and out, with the language switcher every page shows."""

    @get("/login", name="login")
    async def login_page(
        self, request: Request, user: CurrentUser, next: FromQuery[str | None] = None
    ) -> Template | Redirect:
        if user is not None:
            return Redirect(safe_next(next))
        return Template("accounts/login.html", context=_login_context(request, Form(), safe_next(next)))

    @post("/login", name="login_post")
    async def login(self, request: Request, db_session: DbSession) -> Template | Redirect:
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
        asked_at = throttle.clock()  # the wait is told from when the try came, not after its password check
        reservation = await throttle.reserve(attempt)
        if not reservation.allowed:
            return _throttled(request, form, target, reservation.seconds_left(asked_at))
        signed_in = await services.authenticate(db_session, address, password)
        if signed_in is None:
            if reservation.wait_until:
                return _throttled(request, form, target, reservation.seconds_left(asked_at))
            form.add_error("form", _("The e-mail address or the password is not right."))
            return Template("accounts/login.html", context=_login_context(request, form, target), status_code=400)
        await throttle.succeeded(attempt)
        await services.record_sign_in(db_session, signed_in.id)
        open_signed_in_session(request, signed_in)
        response = see_other(target)
        remember_device(request, response, address)
        return response

    @post("/logout", name="logout")
    async def logout(self, request: Request) -> Redirect:
        request.clear_session()
        return see_other("/")

    @post("/sessions/revoke", name="sign_out_everywhere", guards=[requires_user])
    async def sign_out_everywhere(self, request: Request, db_session: DbSession, me: SignedIn) -> Redirect:
        await services.sign_out_everywhere(db_session, me.id, actor_id=me.id)
        renew_session(request)
        request.set_session({})
        notify(request, _("You have been signed out on every device. Sign in again to go on."))
        return see_other("/login")

    @post("/language", name="set_language")
    async def set_language(self, request: Request, db_session: DbSession, user: CurrentUser) -> Redirect:
        form = await read_form(request)
        language = form.get("language")
        response = see_other(safe_next(form.get("next")))
        if language in LANGUAGES:
            if user is not None:
                await services.set_language(db_session, user.id, language)
            secure = request.app.state.settings.secure_cookies
            response.set_cookie(
                LANGUAGE_COOKIE, language, max_age=LANGUAGE_COOKIE_AGE, httponly=True, samesite="lax", secure=secure
            )
        return response


class PasswordController(Controller):
    """A forgotten password: the link by mail, then the new password."""

    path = "/password"

    @get("/forgot", name="password_forgot")
    async def forgot_page(self) -> Template:
        return Template("accounts/password_forgot.html", context={"form": Form()})

    @post("/forgot", name="password_forgot_post")
    async def forgot(self, request: Request, db_session: DbSession) -> Template:
        """The same answer, as fast, whether the address has an account or not: the mail leaves after it."""
        form = await read_form(request)
        try:
            issued = await services.request_password_reset(db_session, form)
        except FormError as error:
            return Template("accounts/password_forgot.html", context={"form": error.form}, status_code=400)
        answer = Template("accounts/password_forgot_sent.html", context={"email": form.get("email")})
        if issued is not None:
            answer.background = _reset_mail(request, *issued)
        return answer

    @get("/reset/{token:str}", name="password_reset")
    async def reset_page(self, db_session: DbSession, token: FromPath[str]) -> Template:
        if await services.open_password_reset(db_session, token) is None:
            return Template("accounts/reset_invalid.html", status_code=404)
        return Template("accounts/password_reset.html", context={"form": Form(), "token": token})

    @post("/reset/{token:str}", name="password_reset_post")
    async def reset(self, request: Request, db_session: DbSession, token: FromPath[str]) -> Template | Redirect:
        form = await read_form(request)
        try:
            user = await services.reset_password(db_session, token, form)
        except FormError as error:
            if "token" in error.form.errors:
                return Template("accounts/reset_invalid.html", status_code=404)
            context = {"form": error.form, "token": token}
            return Template("accounts/password_reset.html", context=context, status_code=400)
        renew_session(request)
        request.set_session({})
        notify(request, _("Your password has been changed. You can sign in with it now."))
        response = see_other("/login")
        remember_device(request, response, user.email)  # the mailbox was proved: this browser is the person's
        return response


def _reset_mail(request: Request, user: User, token: str) -> BackgroundTask:
    settings = request.app.state.settings
    link = f"{settings.base_url}/password/reset/{token}"
    return send_after_response(
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


class ProfileController(Controller):
    """The person's own profile: name, organisation, territory, kind of actor, language."""

    path = "/profile"
    guards = [requires_user]

    @get(name="profile")
    async def profile_page(self, request: Request, db_session: DbSession, me: SignedIn) -> Template:
        context = await _profile_context(request, db_session, me, services.profile_form(me))
        return Template("accounts/profile.html", context=context)

    @post(name="profile_post")
    async def update_profile(self, request: Request, db_session: DbSession, me: SignedIn) -> Template | Redirect:
        form = await read_form(request)
        try:
            await services.update_profile(db_session, me.id, form)
        except FormError as error:
            context = await _profile_context(request, db_session, me, error.form)
            return Template("accounts/profile.html", context=context, status_code=400)
        notify(request, _("Your profile has been saved."))
        return see_other("/profile")


async def _contributed(db_session: AsyncSession, user: User) -> dict[str, Any]:
    """What the domains above show on the profile (see `signals.profile_opened`)."""
    values: dict[str, Any] = {}
    for _receiver, contributed in await profile_opened.send_async(user, session=db_session):
        values.update(contributed or {})
    return values


async def _profile_context(request: Request, db_session: AsyncSession, user: User, form: Form) -> dict[str, Any]:
    providers = request.app.state.oidc.providers
    linked = await identity.identities_of(db_session, user.id)
    linked_keys = {found.provider for found in linked}
    return {
        "form": form,
        **await _contributed(db_session, user),
        "identities": [(found, providers.get(found.provider)) for found in linked],
        "linkable": sorted((p for p in providers.values() if p.key not in linked_keys), key=lambda p: p.display_name),
        **profile_choices(),
    }


account_routes = [SignInController, PasswordController, ProfileController]
