"""Sign in with an organisation's OpenID Connect provider: go there, come back, land in the right account."""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from workspace.accounts import identity, services
from workspace.accounts.guards import CurrentUser, SignedIn, requires_user
from workspace.accounts.models import User
from workspace.accounts.oidc import OidcClients, OidcError, PendingSignIn
from workspace.accounts.sessions import open_signed_in_session
from workspace.core import audit
from workspace.core.i18n import gettext as _
from workspace.core.web import DbSession, found, notify, safe_next, see_other
from workspace.settings import OidcProviderSettings

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


class OidcSignInController(Controller):
    """Going to the provider, and coming back from it."""

    path = "/login/oidc/{key:str}"

    @get(name="oidc_start")
    async def start(
        self, request: Request, key: FromPath[str], next: FromQuery[str | None] = None
    ) -> Template | Redirect:
        return await _go_to_provider(request, key, safe_next(next))

    @get("/callback", name="oidc_callback")
    async def callback(self, request: Request, user: CurrentUser, key: FromPath[str]) -> Template | Redirect:
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
        linking = user if pending.linking_user else None
        if pending.linking_user and (linking is None or str(linking.id) != pending.linking_user):
            return _refusal("state", 400, provider.display_name)  # signed out or in as someone else meanwhile
        params = {name: value for name, value in request.query_params.items() if isinstance(value, str)}
        try:
            claims = await clients.finish(provider, pending, params, _redirect_uri(request, key))
        except OidcError as error:
            logger.warning("OIDC sign-in with %s refused: %s", key, error)
            status = 502 if error.reason == "unavailable" else 400
            return _refusal(error.reason, status, provider.display_name)
        result = await _settle(request, provider, claims, linking)
        if result.user is None:
            assert result.refusal is not None
            return _refusal(result.refusal.value, 403, provider.display_name)
        if linking is not None:
            notify(
                request,
                _("Your %(provider)s identity is linked: you can sign in with it.", provider=provider.display_name),
            )
            return Redirect("/profile")
        open_signed_in_session(request, result.user)
        if result.created:
            notify(
                request,
                _("Welcome to Passerelle, %(name)s. Please complete your profile.", name=result.user.display_name),
            )
            return Redirect("/profile")
        return Redirect(pending.next)


async def _settle(
    request: Request, provider: OidcProviderSettings, claims: dict[str, Any], linking: User | None
) -> identity.IdentityResult:
    """Link the identity, or find (or make) the account it signs in to. A GET that writes (the link, a new
    account, the audit): in its own transaction."""
    async with request.app.state.db.transaction() as db_session:
        if linking is not None:
            result = await identity.link(db_session, provider.key, claims, linking)
        else:
            result = await identity.resolve(db_session, provider.key, claims, link_by_email=provider.link_by_email)
        if result.user is None:
            assert result.refusal is not None
            audit.record(
                db_session,
                action="oidc.refused",
                actor_id=linking.id if linking else None,
                target_kind="oidc",
                target_id=provider.key,
                reason=result.refusal.value,
            )
        elif linking is None:
            await services.record_sign_in(db_session, result.user.id)
    return result


class LinkedIdentityController(Controller):
    """The identities a person links to their account from their profile."""

    path = "/profile/identities"
    guards = [requires_user]

    @post("/{key:str}", name="oidc_link")
    async def link(self, request: Request, me: SignedIn, key: FromPath[str]) -> Template | Redirect:
        """A POST (with its CSRF token), so that no page elsewhere can start it for the person."""
        return await _go_to_provider(request, key, "/profile", linking_user=str(me.id))

    @post("/{identity_id:uuid}/remove", name="oidc_unlink")
    async def unlink(
        self, request: Request, db_session: DbSession, me: SignedIn, identity_id: FromPath[UUID]
    ) -> Redirect:
        try:
            removed = await identity.unlink(db_session, identity_id, me)
        except identity.UnlinkRefusedError:
            notify(
                request,
                _("This is your only way to sign in: choose a password first (Forgot your password?)."),
                category="error",
            )
            return see_other("/profile")
        found(removed or None)
        notify(request, _("The identity is no longer linked to your account."))
        return see_other("/profile")


oidc_routes = [OidcSignInController, LinkedIdentityController]
