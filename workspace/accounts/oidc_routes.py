"""Sign in with an organisation's OpenID Connect provider: go there, come back, land in the right account."""

from __future__ import annotations

import logging

from litestar import Request, get
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from workspace.accounts import identity, services
from workspace.accounts.oidc import OidcClients, OidcError, PendingSignIn
from workspace.accounts.sessions import open_signed_in_session
from workspace.core import audit
from workspace.core.i18n import gettext as _
from workspace.core.web import notify, safe_next

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


@get("/login/oidc/{key:str}", name="oidc_start")
async def oidc_start(request: Request, key: FromPath[str], next: FromQuery[str | None] = None) -> Template | Redirect:
    provider = _clients(request).get(key)
    if provider is None:
        return _refusal("unknown", 404)
    try:
        url, pending = await _clients(request).begin(provider, _redirect_uri(request, key), safe_next(next))
    except OidcError as error:
        logger.warning("OIDC sign-in with %s could not start: %s", key, error)
        return _refusal(error.reason, 502, provider.display_name)
    session = request.session if isinstance(request.scope.get("session"), dict) else {}
    request.set_session({**session, PENDING_KEY: pending.as_dict()})
    return Redirect(url)


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
    params = {name: value for name, value in request.query_params.items() if isinstance(value, str)}
    try:
        claims = await clients.finish(provider, pending, params, _redirect_uri(request, key))
    except OidcError as error:
        logger.warning("OIDC sign-in with %s refused: %s", key, error)
        status = 502 if error.reason == "unavailable" else 400
        return _refusal(error.reason, status, provider.display_name)
    # A GET that writes (the identity link, a new account, the audit): its own transaction.
    async with request.app.state.db.transaction() as db_session:
        result = await identity.resolve(db_session, key, claims)
        if result.user is None:
            assert result.refusal is not None
            audit.record(db_session, action="oidc.refused", actor_id=None, target_kind="oidc", target_id=key,
                         reason=result.refusal.value)  # fmt: skip
        else:
            await services.record_sign_in(db_session, result.user.id)
    if result.user is None:
        assert result.refusal is not None
        return _refusal(result.refusal.value, 403, provider.display_name)
    user = result.user
    open_signed_in_session(request, user)
    if result.created:
        notify(request, _("Welcome to Passerelle, %(name)s. Please complete your profile.", name=user.display_name))
        return Redirect("/profile")
    return Redirect(pending.next)


oidc_routes = [oidc_start, oidc_callback]
