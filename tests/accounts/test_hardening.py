"""Login lockout per account, and signing out everywhere."""

from __future__ import annotations

import re

import pytest
from litestar.testing import AsyncTestClient

from tests.factories import PASSWORD, make_user
from tests.helpers import post_form, sign_in
from workspace.accounts.models import User
from workspace.app import create_app
from workspace.core.models import AuditEntry
from workspace.settings import Settings


async def _attempt(client, email: str, password: str):  # type: ignore[no-untyped-def]
    return await post_form(client, "/login", {"email": email, "password": password}, token_from="/login")


async def test_an_account_locks_after_repeated_failures_with_a_readable_page(client, db):
    user = await make_user(db)
    for _attempt_number in range(4):
        assert (await _attempt(client, user.email, "wrong-password")).status_code == 400
    locked = await _attempt(client, user.email, "wrong-password")
    assert locked.status_code == 429
    assert 'href="/password/forgot"' in locked.text
    # Even the right password is refused while the account is locked.
    assert (await _attempt(client, user.email, PASSWORD)).status_code == 429
    async with db.session(write=False) as session:
        assert (await session.get(User, user.id)).locked_until is not None
        assert await session.scalar(AuditEntry.__table__.select().where(AuditEntry.action == "login.locked"))


async def test_a_successful_sign_in_resets_the_failure_count(client, db):
    user = await make_user(db)
    for _attempt_number in range(4):
        await _attempt(client, user.email, "wrong-password")
    await sign_in(client, user)
    async with db.session(write=False) as session:
        assert (await session.get(User, user.id)).failed_logins == 0


async def test_failures_on_another_account_do_not_lock_this_one(client, db):
    user = await make_user(db)
    other = await make_user(db)
    for _attempt_number in range(6):
        await _attempt(client, other.email, "wrong-password")
    await sign_in(client, user)


async def test_sign_out_everywhere_ends_every_session_of_the_person(app, client, db):
    user = await make_user(db, display_name="Griet Vandenberghe")
    await sign_in(client, user)
    other_cookies = dict(client.cookies)
    # A second device: another sign-in, its own session.
    client.cookies.clear()
    await sign_in(client, user)
    assert "Griet Vandenberghe" in (await client.get("/")).text

    response = await post_form(client, "/sessions/revoke", {})
    assert response.status_code == 303
    assert "Griet Vandenberghe" not in (await client.get("/")).text
    client.cookies.clear()
    for name, value in other_cookies.items():
        client.cookies.set(name, value)
    assert "Griet Vandenberghe" not in (await client.get("/")).text
    assert (await client.get("/profile", follow_redirects=False)).status_code != 200
    # Signing in again works.
    client.cookies.clear()
    await sign_in(client, user)
    assert "Griet Vandenberghe" in (await client.get("/")).text


async def test_admin_signs_a_person_out_everywhere(client, db):
    user = await make_user(db)
    admin = await make_user(db, is_admin=True)
    await sign_in(client, admin)
    response = await post_form(
        client, f"/admin/users/{user.id}/sessions/revoke", {}, token_from=f"/admin/users/{user.id}"
    )
    assert response.status_code == 303
    async with db.session(write=False) as session:
        assert (await session.get(User, user.id)).session_epoch == 1


async def test_a_password_reset_signs_out_other_sessions(client, db):
    from datetime import timedelta

    from workspace.accounts.models import PasswordReset
    from workspace.accounts.services import reset_password
    from workspace.core.forms import Form
    from workspace.core.tokens import new_token, utcnow

    user = await make_user(db, display_name="Bart Claeys")
    await sign_in(client, user)
    token, token_hash = new_token()
    async with db.transaction() as session:
        session.add(PasswordReset(token_hash=token_hash, user_id=user.id, expires_at=utcnow() + timedelta(hours=1)))
    async with db.transaction() as session:
        form = Form(values={"password": "another-long-password", "password_confirm": "another-long-password"})
        await reset_password(session, token, form)
    assert "Bart Claeys" not in (await client.get("/")).text


@pytest.mark.sqlite_only
async def test_production_cookies_are_secure_host_only_http_only_and_hsts_is_sent(database_url, db):
    user = await make_user(db)
    settings = Settings(
        environment="production",
        secret_key="s" * 48,
        secure_cookies=True,
        base_url="https://passerelle.example.org",
        database_url=database_url,
    )
    async with AsyncTestClient(app=create_app(settings), base_url="https://testserver.local") as client:
        page = await client.get("/login")
        assert page.headers["strict-transport-security"].startswith("max-age=63072000")
        token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
        response = await client.post(
            "/login", data={"email": user.email, "password": PASSWORD, "_csrf_token": token}, follow_redirects=False
        )
        assert response.status_code == 303
        session_cookie = next(c for c in response.headers.get_list("set-cookie") if "passerelle_session=" in c)
        assert session_cookie.startswith("__Host-passerelle_session=")
        for flag in ("Secure", "HttpOnly", "SameSite=lax", "Path=/"):
            assert flag.lower() in session_cookie.lower(), flag
        assert "domain=" not in session_cookie.lower()
        token = re.search(r'name="_csrf_token" value="([^"]+)"', (await client.get("/")).text).group(1)
        language = await client.post("/language", data={"language": "nl", "_csrf_token": token}, follow_redirects=False)
        language_cookie = next(c for c in language.headers.get_list("set-cookie") if "lang" in c.split("=")[0])
        assert "secure" in language_cookie.lower()
        assert "httponly" in language_cookie.lower()


async def test_an_address_without_an_account_locks_like_one_with_an_account(client, db):
    """Otherwise the lockout page would tell an attacker which addresses have an account."""
    user = await make_user(db)
    answers = {}
    for email in (user.email, "nobody-here@example.org"):
        answers[email] = [(await _attempt(client, email, "wrong-password")).status_code for _attempt_number in range(6)]
    assert answers[user.email] == answers["nobody-here@example.org"] == [400, 400, 400, 400, 429, 429]


async def test_with_redis_every_process_counts_the_same_sign_in_failures(database_url, db, redis_url):
    """Two app processes share Redis: failures on an unknown address spread over both lock it on both,
    as they would an account (whose count is in the database)."""
    settings = Settings(database_url=database_url, login_rate_limit=1000, redis_url=redis_url)
    first, second = create_app(settings), create_app(settings)
    async with AsyncTestClient(app=first) as one, AsyncTestClient(app=second) as other:
        statuses = [(await _attempt(client, "nobody-here@example.org", "wrong")).status_code
                    for client in (one, other, one, other, one, other)]  # fmt: skip
    assert statuses == [400, 400, 400, 400, 429, 429]
