"""The sign-in throttle (it slows the guesser, not the person), secure cookies, signing out everywhere."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest
from litestar.testing import AsyncTestClient

from tests.accounts.support import PROXY, attempt, from_peer
from tests.factories import PASSWORD, make_user
from tests.helpers import post_form, sign_in
from tests.servers import serve
from workspace.accounts.models import User
from workspace.app import create_app
from workspace.settings import Settings


async def _attempt(client, email: str, password: str):  # type: ignore[no-untyped-def]
    return await post_form(client, "/login", {"email": email, "password": password}, token_from="/login")


def spaced(text: str) -> str:
    """Durations are written with no-break spaces (“30 secondes”)."""
    return text.replace("\xa0", " ").replace("\u202f", " ")


def later(app, seconds: float) -> None:  # type: ignore[no-untyped-def]
    """Move the sign-in throttle's clock forward."""
    throttle = app.state.sign_in_throttle
    now = throttle.clock()
    throttle.clock = lambda: now + seconds


async def test_repeated_wrong_passwords_must_wait_longer_each_time_with_the_address_kept(app, client, db):
    user = await make_user(db)
    for _attempt_number in range(4):
        assert (await _attempt(client, user.email, "wrong-password")).status_code == 400
    slowed = await _attempt(client, user.email, "wrong-password")
    assert slowed.status_code == 429
    assert f'value="{user.email}"' in slowed.text
    assert "Réessayez dans 30 secondes" in spaced(slowed.text)
    assert 'href="/password/forgot"' in slowed.text
    # While the wait lasts, even the right password is not looked at from here.
    assert (await _attempt(client, user.email, PASSWORD)).status_code == 429
    later(app, 31)
    again = await _attempt(client, user.email, "wrong-password")
    assert again.status_code == 429
    assert "Réessayez dans 1 minute" in spaced(again.text)
    later(app, 31 + 61)
    assert (await _attempt(client, user.email, PASSWORD)).status_code == 303


async def test_a_successful_sign_in_gives_the_free_tries_back(client, db):
    user = await make_user(db)
    for _attempt_number in range(4):
        await _attempt(client, user.email, "wrong-password")
    await sign_in(client, user)
    await post_form(client, "/logout", {})
    statuses = [(await _attempt(client, user.email, "wrong-password")).status_code for _attempt_number in range(4)]
    assert statuses == [400, 400, 400, 400]


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
        smtp_url="smtp://127.0.0.1:1",
        mail_from="Passerelle <passerelle@passerelle.example.org>",
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


async def test_an_address_without_an_account_is_slowed_down_like_one_with_an_account(client, db):
    """Otherwise the answers would tell an attacker which addresses have an account."""
    user = await make_user(db)
    answers = {}
    for email in (user.email, "nobody-here@example.org"):
        answers[email] = [(await _attempt(client, email, "wrong-password")).status_code for _attempt_number in range(6)]
    assert answers[user.email] == answers["nobody-here@example.org"] == [400, 400, 400, 400, 429, 429]


async def test_with_redis_every_process_counts_the_same_sign_in_failures(database_url, db, redis_url):
    """Two app processes share Redis: failures spread over both count as one, for an account as for an
    address without one."""
    user = await make_user(db)
    settings = Settings(database_url=database_url, login_rate_limit=1000, redis_url=redis_url)
    first, second = create_app(settings), create_app(settings)
    async with AsyncTestClient(app=first) as one, AsyncTestClient(app=second) as other:
        for email in ("nobody-here@example.org", user.email):
            statuses = [(await _attempt(client, email, "wrong")).status_code
                        for client in (one, other, one, other, one, other)]  # fmt: skip
            assert statuses == [400, 400, 400, 400, 429, 429], email


@pytest.mark.parametrize("counts", ["memory", "redis"])
async def test_a_burst_of_parallel_guesses_gets_no_more_tries_than_allowed(database_url, db, counts, request):
    """Twenty guesses sent at once to a real server: each is counted before its password is checked, so
    only the five free tries are checked (four refused, the fifth starting the wait), and the right
    password sent just after them waits too."""
    user = await make_user(db)
    redis_url = request.getfixturevalue("redis_url") if counts == "redis" else None
    app = create_app(Settings(database_url=database_url, login_rate_limit=1000, redis_url=redis_url))
    with serve(app) as base_url:
        async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
            token = re.search(r'name="_csrf_token" value="([^"]+)"', (await http.get("/login")).text).group(1)

            async def guess(password: str) -> int:
                data = {"email": user.email, "password": password, "_csrf_token": token}
                return (await http.post("/login", data=data, follow_redirects=False)).status_code

            statuses = await asyncio.gather(*(guess(f"guess-{number}") for number in range(20)))
            assert sorted(statuses) == [400] * 4 + [429] * 16
            assert await guess(PASSWORD) == 429


def _proxied(app):  # type: ignore[no-untyped-def]
    return AsyncTestClient(app=from_peer(app, PROXY))


@pytest.mark.sqlite_only
async def test_a_stranger_guessing_from_elsewhere_does_not_lock_the_person_out(database_url, db):
    sophie = await make_user(db, email="sophie.lambert@passerelle.example")
    app = create_app(Settings(database_url=database_url, login_rate_limit=1000, trusted_proxies=("10.20.0.0/16",)))
    async with _proxied(app) as client:
        for _attempt_number in range(10):
            await attempt(client, sophie.email, "guess", visitor="198.51.100.66")
        assert (await attempt(client, sophie.email, "guess", visitor="198.51.100.66")).status_code == 429
        assert (await attempt(client, sophie.email, PASSWORD, visitor="203.0.113.10")).status_code == 303


@pytest.mark.sqlite_only
async def test_a_device_that_signed_in_before_is_not_held_up_by_guesses_from_its_own_network(database_url, db):
    """Sophie and the guesser share one public address (an office's): her browser signed in before."""
    sophie = await make_user(db, email="sophie.lambert@passerelle.example")
    app = create_app(Settings(database_url=database_url, login_rate_limit=1000, trusted_proxies=("10.20.0.0/16",)))
    async with _proxied(app) as her_browser, _proxied(app) as guesser:
        assert (await attempt(her_browser, sophie.email, PASSWORD, visitor="203.0.113.10")).status_code == 303
        await post_form(her_browser, "/logout", {})
        for _attempt_number in range(8):
            await attempt(guesser, sophie.email, "guess", visitor="203.0.113.10")
        assert (await attempt(guesser, sophie.email, PASSWORD, visitor="203.0.113.10")).status_code == 429
        assert (await attempt(her_browser, sophie.email, PASSWORD, visitor="203.0.113.10")).status_code == 303


@pytest.mark.sqlite_only
async def test_guesses_spread_over_many_client_addresses_are_slowed_down_for_the_address(database_url, db):
    """Each client address stays under its own free tries; together they reach the address-wide
    allowance, after which a browser that never signed in must wait, while Sophie's own device does not."""
    sophie = await make_user(db, email="sophie.lambert@passerelle.example")
    settings = Settings(database_url=database_url, login_rate_limit=1000, trusted_proxies=("10.20.0.0/16",),
                        login_address_free_tries=12)  # fmt: skip
    app = create_app(settings)
    async with _proxied(app) as her_browser, _proxied(app) as botnet:
        assert (await attempt(her_browser, sophie.email, PASSWORD, visitor="203.0.113.10")).status_code == 303
        await post_form(her_browser, "/logout", {})
        statuses = [
            (await attempt(botnet, sophie.email, "guess", visitor=f"198.51.100.{host}")).status_code
            for host in range(1, 5)
            for _try in range(3)
        ]
        assert statuses[:11] == [400] * 11
        assert statuses[11] == 429
        assert (await attempt(botnet, sophie.email, PASSWORD, visitor="198.51.100.200")).status_code == 429
        assert (await attempt(her_browser, sophie.email, PASSWORD, visitor="192.0.2.44")).status_code == 303


@pytest.mark.sqlite_only
async def test_a_new_browser_that_goes_through_a_password_reset_is_not_held_up_by_a_spread_out_guesser(
    database_url, db
):
    from datetime import timedelta

    from workspace.accounts.models import PasswordReset
    from workspace.core.tokens import new_token, utcnow

    sophie = await make_user(db, email="sophie.lambert@passerelle.example")
    settings = Settings(database_url=database_url, login_rate_limit=1000, trusted_proxies=("10.20.0.0/16",),
                        login_address_free_tries=6)  # fmt: skip
    app = create_app(settings)
    async with _proxied(app) as new_browser, _proxied(app) as botnet:
        for host in range(1, 4):
            for _try in range(2):
                await attempt(botnet, sophie.email, "guess", visitor=f"198.51.100.{host}")
        assert (await attempt(new_browser, sophie.email, PASSWORD, visitor="192.0.2.44")).status_code == 429
        token, token_hash = new_token()
        async with db.transaction() as session:
            session.add(
                PasswordReset(token_hash=token_hash, user_id=sophie.id, expires_at=utcnow() + timedelta(hours=1))
            )
        path = f"/password/reset/{token}"
        data = {"password": "a-brand-new-password", "password_confirm": "a-brand-new-password"}
        reset = await post_form(new_browser, path, data, token_from=path)
        assert reset.status_code == 303
        signed_in = await attempt(new_browser, sophie.email, "a-brand-new-password", visitor="192.0.2.44")
        assert signed_in.status_code == 303
