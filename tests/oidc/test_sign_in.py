"""OpenID Connect sign-in end to end against a real provider (oidc-provider on loopback).

Pages are read in French, the default language.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx
import pytest
from sqlalchemy import func, select

from tests.factories import add_member, make_cycle, make_user
from tests.oidc.provider import log_in_at_provider
from workspace.accounts.models import MembershipRole, OidcIdentity, User
from workspace.accounts.oidc import OidcError
from workspace.core.models import AuditEntry
from workspace.core.tokens import new_token, utcnow
from workspace.cycles.models import Invitation, Membership


def _path(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(("", "", parts.path, parts.query, ""))


async def start(client, next_path: str | None = None, provider: str = "partner") -> str:  # type: ignore[no-untyped-def]
    """Ask the app to sign in with the provider; returns the provider's authorization address."""
    path = f"/login/oidc/{provider}" + (f"?next={next_path}" if next_path else "")
    response = await client.get(path, follow_redirects=False)
    assert response.status_code in (302, 303), response.text[:300]
    return response.headers["location"]


async def sign_in_with_provider(client, login: str) -> httpx.Response:  # type: ignore[no-untyped-def]
    callback = await log_in_at_provider(await start(client), login)
    return await client.get(_path(callback), follow_redirects=False)


async def signed_in_email(client) -> str | None:  # type: ignore[no-untyped-def]
    response = await client.get("/profile", follow_redirects=False)
    if response.status_code != 200:
        return None
    return "signed-in"


class TamperingTransport(httpx.AsyncBaseTransport):
    """Passes every request to the provider; changes or records the ID token of the token response."""

    def __init__(self, change: Callable[[str], str] = lambda token: token) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.change = change
        self.id_tokens: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if not request.url.path.endswith("/token"):
            return response
        body = json.loads(await response.aread())
        if "id_token" in body:
            self.id_tokens.append(body["id_token"])
            body["id_token"] = self.change(body["id_token"])
        return httpx.Response(response.status_code, json=body)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _claims(token: str) -> dict:  # type: ignore[type-arg]
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def forge_email(token: str) -> str:
    header, _payload, signature = token.split(".")
    claims = _claims(token)
    claims["email"] = "admin@passerelle.example"
    claims["sub"] = "admin@passerelle.example"
    return f"{header}.{_b64(json.dumps(claims).encode())}.{signature}"


async def test_verified_email_links_the_existing_account_with_pkce_state_and_nonce(client, db):
    user = await make_user(db, email="alice@example.org")
    authorize = await start(client)
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["code_challenge"][0]
    assert query["state"][0]
    assert query["nonce"][0]
    assert "openid" in query["scope"][0].split()

    callback = await log_in_at_provider(authorize, "alice@example.org")
    response = await client.get(_path(callback), follow_redirects=False)

    assert response.status_code in (302, 303)
    assert await signed_in_email(client)
    async with db.session(write=False) as session:
        identity = await session.scalar(select(OidcIdentity).where(OidcIdentity.user_id == user.id))
        assert identity is not None
        assert identity.provider == "partner"
        assert identity.subject == "alice@example.org"


async def test_a_linked_identity_signs_in_again_and_returns_to_the_page_asked_for(client, db):
    await make_user(db, email="bert@example.org")
    assert (await sign_in_with_provider(client, "bert@example.org")).status_code in (302, 303)
    await client.post("/logout", headers={"x-csrftoken": client.cookies.get("csrftoken", "")})
    client.cookies.clear()
    callback = await log_in_at_provider(await start(client, "/search"), "bert@example.org")
    response = await client.get(_path(callback), follow_redirects=False)
    assert response.headers["location"] == "/search"
    async with db.session(write=False) as session:
        assert await session.scalar(select(func.count()).select_from(OidcIdentity)) == 1


async def test_first_sign_in_accepts_a_pending_invitation_for_the_verified_address(client, db):
    cycle = await make_cycle(db)
    _token, token_hash = new_token()
    async with db.transaction() as session:
        session.add(
            Invitation(
                token_hash=token_hash,
                email="chloe@example.org",
                role=MembershipRole.MEMBER,
                cycle_id=cycle.id,
                group_id=cycle.groups[0].id,
                expires_at=utcnow() + timedelta(days=3),
            )
        )

    response = await sign_in_with_provider(client, "chloe@example.org")

    assert response.headers["location"] == "/profile"
    assert (await client.get("/profile")).status_code == 200
    async with db.session(write=False) as session:
        user = await session.scalar(select(User).where(User.email == "chloe@example.org"))
        assert user is not None
        assert user.password_hash is None
        membership = await session.scalar(select(Membership).where(Membership.user_id == user.id))
        assert membership is not None
        assert membership.cycle_id == cycle.id
        invitation = await session.scalar(select(Invitation).where(Invitation.email == "chloe@example.org"))
        assert invitation.accepted_by_id == user.id


async def test_someone_without_account_or_invitation_is_refused_with_a_clear_page(client, db):
    response = await sign_in_with_provider(client, "stranger@example.org")
    assert response.status_code == 403
    assert "Aucun compte Passerelle pour cette identité" in response.text
    assert await signed_in_email(client) is None
    async with db.session(write=False) as session:
        assert await session.scalar(select(func.count()).select_from(User)) == 0
        assert await session.scalar(select(AuditEntry.action).where(AuditEntry.action == "oidc.refused"))


async def test_an_unverified_address_does_not_link_to_the_account(client, db):
    await make_user(db, email="dirk@example.org")
    response = await sign_in_with_provider(client, "unverified.dirk@example.org")
    assert response.status_code == 403
    assert "n’est pas vérifiée" in response.text
    assert await signed_in_email(client) is None


async def test_a_disabled_account_gets_a_clear_page(client, db):
    await make_user(db, email="eva@example.org", is_active=False)
    response = await sign_in_with_provider(client, "eva@example.org")
    assert response.status_code == 403
    assert "Ce compte est désactivé" in response.text
    assert await signed_in_email(client) is None


async def test_an_unknown_provider_gets_a_clear_page(client):
    response = await client.get("/login/oidc/nowhere", follow_redirects=False)
    assert response.status_code == 404
    assert "n’est pas connu ici" in response.text
    response = await client.get("/login/oidc/nowhere/callback?code=x&state=y", follow_redirects=False)
    assert response.status_code == 404


async def test_a_replayed_callback_is_refused(client, app, db):
    await make_user(db, email="fien@example.org")
    callback = await log_in_at_provider(await start(client), "fien@example.org")
    assert (await client.get(_path(callback), follow_redirects=False)).status_code in (302, 303)

    again = await client.get(_path(callback), follow_redirects=False)
    assert again.status_code == 400
    assert "n’a pas pu aboutir" in again.text

    client.cookies.clear()  # someone else, with the stolen address
    stolen = await client.get(_path(callback), follow_redirects=False)
    assert stolen.status_code == 400
    assert await signed_in_email(client) is None


async def test_a_code_used_once_cannot_be_used_with_another_sign_in(client, app, db, caplog):
    await make_user(db, email="gust@example.org")
    callback = await log_in_at_provider(await start(client), "gust@example.org")
    assert (await client.get(_path(callback), follow_redirects=False)).status_code in (302, 303)
    used_code = parse_qs(urlsplit(callback).query)["code"][0]

    client.cookies.clear()  # someone else, who starts their own sign-in and slips in the used code
    state = parse_qs(urlsplit(await start(client)).query)["state"][0]
    response = await client.get(
        "/login/oidc/partner/callback?" + urlencode({"code": used_code, "state": state}), follow_redirects=False
    )
    assert response.status_code == 400
    assert "invalid_grant" in caplog.text  # the provider refused the used code
    assert await signed_in_email(client) is None


async def test_an_expired_code_is_refused(client, db, caplog):
    await make_user(db, email="gilles@example.org")
    callback = await log_in_at_provider(await start(client, provider="slow"), "gilles@example.org")
    await asyncio.sleep(2.5)  # this client's codes live one second (tests/oidc/provider.mjs)
    response = await client.get(_path(callback), follow_redirects=False)
    assert response.status_code == 400
    assert "invalid_grant" in caplog.text  # the provider refused the code, not something before it
    assert "n’a pas pu aboutir" in response.text
    assert await signed_in_email(client) is None


async def test_a_forged_state_is_refused(client, db):
    await make_user(db, email="hanne@example.org")
    callback = await log_in_at_provider(await start(client), "hanne@example.org")
    query = parse_qs(urlsplit(callback).query)
    forged = "/login/oidc/partner/callback?" + urlencode({"code": query["code"][0], "state": "forged"})
    response = await client.get(forged, follow_redirects=False)
    assert response.status_code == 400
    assert await signed_in_email(client) is None


async def test_a_wrong_nonce_is_refused(client, db, caplog):
    await make_user(db, email="ines@example.org")
    parts = urlsplit(await start(client))
    query = {name: values[0] for name, values in parse_qs(parts.query).items()}
    query["nonce"] = "a-nonce-this-sign-in-never-asked-for"
    callback = await log_in_at_provider(urlunsplit(parts._replace(query=urlencode(query))), "ines@example.org")
    response = await client.get(_path(callback), follow_redirects=False)
    assert response.status_code == 400
    assert "refused: token" in caplog.text
    assert "nonce" in caplog.text
    assert await signed_in_email(client) is None


async def test_a_tampered_id_token_is_refused(client, app, db, caplog):
    await make_user(db, email="jan@example.org")
    await make_user(db, email="admin@passerelle.example", is_admin=True)
    app.state.oidc.transport = TamperingTransport(forge_email)
    response = await sign_in_with_provider(client, "jan@example.org")
    assert response.status_code == 400
    assert "refused: token" in caplog.text  # the signature does not match the changed claims
    assert await signed_in_email(client) is None
    async with db.session(write=False) as session:
        assert await session.scalar(select(func.count()).select_from(OidcIdentity)) == 0


async def test_an_expired_id_token_is_refused(client, app, db, caplog):
    await make_user(db, email="kato@example.org")
    app.state.oidc.now = lambda: int(time.time()) + 2 * 3600  # the provider's ID tokens live one hour
    response = await sign_in_with_provider(client, "kato@example.org")
    assert response.status_code == 400
    assert "refused: token" in caplog.text
    assert "expired" in caplog.text.lower()
    assert await signed_in_email(client) is None


async def test_an_id_token_for_another_client_or_issuer_is_refused(client, app, db, provider_settings):
    from dataclasses import replace

    await make_user(db, email="lien@example.org")
    recorder = TamperingTransport()
    app.state.oidc.transport = recorder
    callback = await log_in_at_provider(await start(client), "lien@example.org")
    pending_nonce = parse_qs(urlsplit(callback).query)  # the nonce travels inside the token
    assert (await client.get(_path(callback), follow_redirects=False)).status_code in (302, 303)
    token = recorder.id_tokens[0]
    nonce = _claims(token)["nonce"]
    assert pending_nonce

    clients = app.state.oidc
    assert (await clients.verify_id_token(provider_settings, token, nonce=nonce))["sub"] == "lien@example.org"
    with pytest.raises(OidcError):
        await clients.verify_id_token(replace(provider_settings, client_id="another-client"), token, nonce=nonce)
    with pytest.raises(OidcError):
        await clients.verify_id_token(provider_settings, token, nonce="another-nonce")
    other_issuer = replace(provider_settings, key="other", issuer=provider_settings.issuer + "/")
    clients._metadata["other"] = clients._metadata["partner"]
    clients._keys["other"] = clients._keys["partner"]
    with pytest.raises(OidcError):
        await clients.verify_id_token(other_issuer, token, nonce=nonce)


async def test_the_sign_in_page_lists_the_providers(client):
    response = await client.get("/login")
    assert "Se connecter avec Réseau Passerelle" in response.text
    assert "Se connecter avec Ville de Lille" in response.text
    assert 'href="/login/oidc/partner"' in response.text


async def test_membership_kept_for_a_member_signing_in_with_the_provider(client, db):
    cycle = await make_cycle(db)
    user = await make_user(db, email="mona@example.org")
    await add_member(db, user, cycle)
    response = await sign_in_with_provider(client, "mona@example.org")
    assert response.status_code in (302, 303)
    assert (await client.get(f"/cycles/{cycle.slug}")).status_code == 200


async def sign_in_with(client, provider: str, login: str) -> httpx.Response:  # type: ignore[no-untyped-def]
    callback = await log_in_at_provider(await start(client, provider=provider), login)
    return await client.get(_path(callback), follow_redirects=False)


async def identities(db) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    async with db.session(write=False) as session:
        return [(found.provider, found.subject) for found in (await session.scalars(select(OidcIdentity))).all()]


async def test_a_provider_not_trusted_with_addresses_does_not_link_by_email(client, db):
    """Ville de Lille's provider says it verified admin@passerelle.example: that is not enough here."""
    await make_user(db, email="admin@passerelle.example", is_admin=True)
    cycle = await make_cycle(db)
    _token, token_hash = new_token()
    async with db.transaction() as session:
        session.add(
            Invitation(
                token_hash=token_hash,
                email="chloe@example.org",
                role=MembershipRole.FACILITATOR,
                cycle_id=cycle.id,
                expires_at=utcnow() + timedelta(days=3),
            )
        )
    for login in ("admin@passerelle.example", "chloe@example.org"):
        response = await sign_in_with(client, "lille", login)
        assert response.status_code == 403
        assert "Cette identité n’est liée à aucun compte Passerelle" in response.text
        assert await signed_in_email(client) is None
    assert await identities(db) == []
    async with db.session(write=False) as session:
        assert await session.scalar(select(func.count()).select_from(User)) == 1
        assert (await session.scalar(select(Invitation))).accepted_at is None


async def test_a_signed_in_person_links_an_identity_from_the_profile_then_signs_in_with_it(client, db):
    from tests.helpers import post_form, sign_in

    user = await make_user(db, email="nora@lille.example")
    await sign_in(client, user)
    assert "Lier mon identité Ville de Lille" in (await client.get("/profile")).text
    started = await post_form(client, "/profile/identities/lille", {}, token_from="/profile")
    assert started.status_code == 303
    callback = await log_in_at_provider(started.headers["location"], "n.dupont@lille.example")
    linked = await client.get(_path(callback), follow_redirects=False)
    assert linked.headers["location"] == "/profile"
    assert await identities(db) == [("lille", "n.dupont@lille.example")]
    assert "Délier Ville de Lille" in (await client.get("/profile")).text

    await post_form(client, "/logout", {})
    client.cookies.clear()
    assert (await sign_in_with(client, "lille", "n.dupont@lille.example")).status_code in (302, 303)
    assert await signed_in_email(client)


async def test_an_identity_linked_to_another_account_is_not_linked_again(client, db):
    from tests.helpers import post_form, sign_in

    owner = await make_user(db, email="omar@lille.example")
    async with db.transaction() as session:
        session.add(OidcIdentity(provider="lille", subject="omar@lille.example", user_id=owner.id))
    intruder = await make_user(db)
    await sign_in(client, intruder)
    started = await post_form(client, "/profile/identities/lille", {}, token_from="/profile")
    callback = await log_in_at_provider(started.headers["location"], "omar@lille.example")
    response = await client.get(_path(callback), follow_redirects=False)
    assert response.status_code == 403
    assert "Cette identité appartient à un autre compte" in response.text
    assert await identities(db) == [("lille", "omar@lille.example")]


async def test_a_link_started_by_one_account_cannot_be_finished_by_another(client, db):
    from tests.helpers import post_form, sign_in

    first = await make_user(db)
    await sign_in(client, first)
    started = await post_form(client, "/profile/identities/lille", {}, token_from="/profile")
    await post_form(client, "/logout", {})
    callback = await log_in_at_provider(started.headers["location"], "pia@lille.example")
    response = await client.get(_path(callback), follow_redirects=False)
    assert response.status_code == 400
    assert await identities(db) == []


async def test_an_identity_is_unlinked_unless_it_is_the_only_way_in(client, db):
    from tests.helpers import post_form, sign_in

    with_password = await make_user(db)
    without_password = await make_user(db, password_hash=None)
    async with db.transaction() as session:
        kept = OidcIdentity(provider="lille", subject="only-way", user_id=without_password.id)
        removable = OidcIdentity(provider="lille", subject="spare", user_id=with_password.id)
        session.add_all([kept, removable])
    await sign_in(client, with_password)
    assert (
        await post_form(client, f"/profile/identities/{kept.id}/remove", {}, token_from="/profile")
    ).status_code == 404
    assert (
        await post_form(client, f"/profile/identities/{removable.id}/remove", {}, token_from="/profile")
    ).status_code == 303
    assert await identities(db) == [("lille", "only-way")]
    await post_form(client, "/logout", {})
    client.cookies.clear()
    assert (await sign_in_with(client, "lille", "only-way")).status_code in (302, 303)
    refused = await post_form(client, f"/profile/identities/{kept.id}/remove", {}, token_from="/profile")
    assert refused.status_code == 303
    assert await identities(db) == [("lille", "only-way")]
