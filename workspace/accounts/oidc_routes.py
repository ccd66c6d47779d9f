"""Sign in with an organisation's OpenID Connect provider: go there, come back, land in the right account."""

from __future__ import annotations

import logging
from uuid import UUID

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from workspace.accounts import identity, services
from workspace.accounts.oidc import OidcClients, OidcError, PendingSignIn
from workspace.accounts.sessions import open_signed_in_session
from workspace.core import audit
from workspace.core.i18n import gettext as _
from workspace.core.web import DbSession, current_user, notify, requires_user, safe_next, see_other, signed_in

PENDING_KEY = "oidc_pending"
logger = logging.getLogger("passerelle.oidc")


def _clients(request: Request) -> OidcClients:
    return request.app.state.oidc


def _redirect_uri(request: Request, key: str) -> str:
    return f"{request.app.state.settings.base_url}/login/oidc/{key}/callback"


def _refusal(reason: str, status_code: int, provider_name: str = "") -> Template:
    return Template(
        "accounts/oidc_refused.html",
        context={"reason": reason, "provider_name": provider_name},
        status_code=status_code,
    )


async def _go_to_provider(request: Request, key: str, next_path: str, linking_user: str = "") -> Template | Redirect:
    provider = _clients(request).get(key)
    if provider is None:
        return _refusal("unknown", 404)
    try:
        url, pending = await _clients(request).begin(
            provider, _redirect_uri(request, key), next_path, linking_user=linking_user
        )
    except OidcError as error:
        logger.warning("OIDC sign-in with %s could not start: %s", key, error)
        return _refusal(error.reason, 502, provider.display_name)
    session = request.session if isinstance(request.scope.get("session"), dict) else {}
    request.set_session({**session, PENDING_KEY: pending.as_dict()})
    return Redirect(url, status_code=303 if request.method == "POST" else 302)


@get("/login/oidc/{key:str}", name="oidc_start")
async def oidc_start(request: Request, key: FromPath[str], next: FromQuery[str | None] = None) -> Template | Redirect:
    return await _go_to_provider(request, key, safe_next(next))


@post("/profile/identities/{key:str}", name="oidc_link", guards=[requires_user])
async def oidc_link(request: Request, key: FromPath[str]) -> Template | Redirect:
    """A signed-in person links their identity at a provider: a POST (with its CSRF token), so that no
    page elsewhere can start it for them."""
    return await _go_to_provider(request, key, "/profile", linking_user=str(signed_in(request).id))


@get("/login/oidc/{key:str}/callback", name="oidc_callback")
async def oidc_callback(request: Request, key: FromPath[str]) -> Template | Redirect:
    clients = _clients(request)
    provider = clients.get(key)
    if provider is None:
        return _refusal("unknown", 404)
    session = dict(request.session) if isinstance(request.scope.get("session"), dict) else {}
    # The pending sign-in is used once: a replayed or forged callback finds nothing to match.
    pending = PendingSignIn.from_dict(session.pop(PENDING_KEY, None))
    request.set_session(session)
    if pending is None:
        return _refusal("state", 400, provider.display_name)
    linking = current_user(request) if pending.linking_user else None
    if pending.linking_user and (linking is None or str(linking.id) != pending.linking_user):
        return _refusal("state", 400, provider.display_name)  # signed out or in as someone else meanwhile
    params = {name: value for name, value in request.query_params.items() if isinstance(value, str)}
    try:
        claims = await clients.finish(provider, pending, params, _redirect_uri(request, key))
    except OidcError as error:
        logger.warning("OIDC sign-in with %s refused: %s", key, error)
        status = 502 if error.reason == "unavailable" else 400
        return _refusal(error.reason, status, provider.display_name)
    # A GET that writes (the identity link, a new account, the audit): its own transaction.
    async with request.app.state.db.transaction() as db_session:
        if linking is not None:
            result = await identity.link(db_session, key, claims, linking)
        else:
            result = await identity.resolve(db_session, key, claims, link_by_email=provider.link_by_email)
        if result.user is None:
            assert result.refusal is not None
            audit.record(db_session, action="oidc.refused", actor_id=linking.id if linking else None,
                         target_kind="oidc", target_id=key, reason=result.refusal.value)  # fmt: skip
        elif linking is None:
            await services.record_sign_in(db_session, result.user.id)
    if result.user is None:
        assert result.refusal is not None
        return _refusal(result.refusal.value, 403, provider.display_name)
    if linking is not None:
        notify(request, _("Your %(provider)s identity is linked: you can sign in with it.",
                          provider=provider.display_name))  # fmt: skip
        return Redirect("/profile")
    user = result.user
    open_signed_in_session(request, user)
    if result.created:
        notify(request, _("Welcome to Passerelle, %(name)s. Please complete your profile.", name=user.display_name))
        return Redirect("/profile")
    return Redirect(pending.next)


@post("/profile/identities/{identity_id:uuid}/remove", guards=[requires_user])
async def oidc_unlink(request: Request, db_session: DbSession, identity_id: FromPath[UUID]) -> Redirect:
    try:
        removed = await identity.unlink(db_session, identity_id, signed_in(request))
    except identity.UnlinkRefusedError:
        notify(request, _("This is your only way to sign in: choose a password first (Forgot your password?)."),
               category="error")  # fmt: skip
        return see_other("/profile")
    if not removed:
        raise NotFoundException()
    notify(request, _("The identity is no longer linked to your account."))
    return see_other("/profile")


oidc_routes = [oidc_start, oidc_link, oidc_callback, oidc_unlink]
