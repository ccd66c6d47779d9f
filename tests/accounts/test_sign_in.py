"""Signing in and out, sessions, CSRF and the sign-in rate limit."""

from __future__ import annotations

from argon2 import PasswordHasher
from litestar.testing import AsyncTestClient

from tests.accounts.support import PROXY, attempt, from_peer
from tests.factories import PASSWORD, make_user
from tests.helpers import csrf_token, headings, post_form, sign_in
from workspace.app import create_app
from workspace.core.passwords import hasher
from workspace.settings import Settings


async def test_member_signs_in_and_out(client, db):
    user = await make_user(db, display_name="Julien Deroo")
    await sign_in(client, user)
    home = await client.get("/")
    assert "Julien Deroo" in home.text
    response = await post_form(client, "/logout", {})
    assert response.status_code == 303
    home = await client.get("/")
    assert "Julien Deroo" not in home.text


async def test_wrong_password_keeps_the_email_and_says_what_is_wrong(client, db):
    user = await make_user(db)
    response = await post_form(client, "/login", {"email": user.email, "password": "not-it"}, token_from="/login")
    assert response.status_code == 400
    assert f'value="{user.email}"' in response.text
    assert "form-errors" in response.text
    assert 'name="password" value' not in response.text


async def test_empty_sign_in_form_marks_both_fields(client):
    response = await post_form(client, "/login", {"email": "", "password": ""}, token_from="/login")
    assert response.status_code == 400
    assert 'id="email-error"' in response.text
    assert 'id="password-error"' in response.text


async def test_inactive_account_cannot_sign_in(client, db):
    user = await make_user(db, is_active=False)
    response = await post_form(client, "/login", {"email": user.email, "password": PASSWORD}, token_from="/login")
    assert response.status_code == 400


async def test_session_id_changes_at_sign_in(client, db):
    user = await make_user(db)
    await post_form(client, "/language", {"language": "nl", "next": "/"})
    await client.get("/")
    before = client.cookies.get("passerelle_session")
    await sign_in(client, user)
    after = client.cookies.get("passerelle_session")
    assert after
    assert after != before


async def test_session_cookie_is_http_only_and_same_site(client, db):
    user = await make_user(db)
    response = await sign_in(client, user)
    cookie = next(value for key, value in response.headers.multi_items() if key == "set-cookie" and "session" in value)
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "SameSite=Lax" in cookie


async def test_sign_in_after_sign_in_page_redirects_to_local_next_only(client, db):
    user = await make_user(db)
    token = await csrf_token(client, "/login")
    response = await client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "next": "//evil.example/", "_csrf_token": token},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


async def test_a_post_without_csrf_token_is_refused_with_a_readable_page(client, db):
    user = await make_user(db)
    await client.get("/login")
    response = await client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 403
    assert headings(response.text)


async def test_sign_in_attempts_are_rate_limited(database_url):
    app = create_app(Settings(database_url=database_url, login_rate_limit=3))
    async with AsyncTestClient(app=app) as client:
        statuses = []
        for _ in range(5):
            response = await post_form(client, "/login", {"email": "a@b.org", "password": "x"}, token_from="/login")
            statuses.append(response.status_code)
        assert statuses[:3] == [400, 400, 400]
        assert statuses[-1] == 429
        assert "Too many attempts" in response.text or "Trop de tentatives" in response.text


def test_passwords_are_hashed_with_argon2id_at_least_19_mib_and_2_iterations():
    encoded = hasher.hash("some password")
    assert encoded.startswith("$argon2id$")
    parameters = PasswordHasher.from_parameters  # noqa: F841 - documents where the check comes from
    memory = int(encoded.split("m=")[1].split(",")[0])
    iterations = int(encoded.split("t=")[1].split(",")[0])
    assert memory >= 19 * 1024
    assert iterations >= 2


async def test_the_account_read_with_the_session_is_the_account_as_stored_and_can_be_changed(db):
    """Every request reads its account with the session (a Core query filling a detached ORM object):
    it carries every field as stored, nothing marked changed, and a later transaction can update it."""
    from sqlalchemy import inspect

    from tests.helpers import open_session
    from workspace.accounts.models import User
    from workspace.accounts.sessions import DatabaseSessionStore

    stored = await make_user(db, display_name="Anke Claes", organisation="OCMW Kortrijk", session_epoch=3)
    loaded = await DatabaseSessionStore(db).load_with_user(await open_session(db, stored))
    assert loaded is not None
    account = loaded[2]
    assert account is not None
    state = inspect(account)
    assert state.detached
    assert not state.modified
    for attribute in (
        "id",
        "email",
        "display_name",
        "organisation",
        "territory",
        "side",
        "language",
        "is_active",
        "session_epoch",
        "created_at",
        "updated_at",
    ):
        assert getattr(account, attribute) == getattr(stored, attribute), attribute
    async with db.transaction() as session:
        session.add(account)
        account.organisation = "OCMW Brugge"
    async with db.session(write=False) as session:
        assert (await session.get(User, stored.id)).organisation == "OCMW Brugge"


async def test_behind_a_trusted_proxy_off_loopback_each_visitor_has_their_own_rate_limit(database_url):
    """The proxy (10.20.0.2) forwards everyone: one visitor using up the limit leaves the others alone."""
    settings = Settings(database_url=database_url, login_rate_limit=3, trusted_proxies=("10.20.0.0/16",))
    async with AsyncTestClient(app=from_peer(create_app(settings), PROXY)) as client:
        first = [(await attempt(client, "a@b.org", "x", visitor="198.51.100.7")).status_code for _ in range(4)]
        assert first == [400, 400, 400, 429]
        assert (await attempt(client, "a@b.org", "x", visitor="203.0.113.25")).status_code == 400


async def test_a_peer_that_is_not_a_trusted_proxy_cannot_choose_its_address(database_url):
    """X-Forwarded-For from anyone else is ignored: changing it does not buy more tries."""
    settings = Settings(database_url=database_url, login_rate_limit=3, trusted_proxies=("10.20.0.0/16",))
    async with AsyncTestClient(app=from_peer(create_app(settings), "192.0.2.50")) as client:
        statuses = [
            (await attempt(client, "a@b.org", "x", visitor=f"198.51.100.{number}")).status_code for number in range(4)
        ]
    assert statuses == [400, 400, 400, 429]
