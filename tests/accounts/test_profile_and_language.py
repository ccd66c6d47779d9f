"""The profile page and the language a person reads the site in."""

from __future__ import annotations

from tests.factories import make_user
from tests.helpers import headings, post_form, sign_in
from workspace.accounts.models import Language

PROFILE = {
    "display_name": "Nadia Benali",
    "organisation": "CPAS de Mons",
    "territory": "hainaut",
    "side": "",
    "actor_kind": "specialist",
    "language": "fr",
}


async def test_a_member_updates_their_profile(client, db):
    user = await make_user(db)
    await sign_in(client, user)
    response = await post_form(client, "/profile", PROFILE, token_from="/profile")
    assert response.status_code == 303
    page = await client.get("/profile")
    assert 'value="Nadia Benali"' in page.text
    assert 'value="hainaut" selected' in page.text


async def test_a_profile_with_errors_comes_back_with_the_input(client, db):
    user = await make_user(db)
    await sign_in(client, user)
    response = await post_form(
        client, "/profile", {**PROFILE, "display_name": "", "actor_kind": "wizard"}, token_from="/profile"
    )
    assert response.status_code == 400
    assert 'value="CPAS de Mons"' in response.text
    assert 'id="display_name-error"' in response.text
    assert 'id="actor_kind-error"' in response.text


async def test_the_profile_page_needs_a_sign_in(client):
    response = await client.get("/profile", follow_redirects=False)
    assert response.status_code in (302, 303)
    assert response.headers["location"].startswith("/login")


async def test_language_follows_the_browser_when_nothing_else_is_known(client):
    page = await client.get("/login", headers={"Accept-Language": "nl-BE,nl;q=0.9,fr;q=0.5"})
    assert '<html lang="nl">' in page.text
    assert headings(page.text) == ["Aanmelden"]


async def test_the_switcher_overrides_the_browser(client):
    await post_form(client, "/language", {"language": "en", "next": "/login"}, token_from="/login")
    page = await client.get("/login", headers={"Accept-Language": "nl"})
    assert '<html lang="en">' in page.text


async def test_the_profile_language_wins_and_the_switcher_updates_it(client, db):
    user = await make_user(db, language=Language.DUTCH)
    await sign_in(client, user)
    page = await client.get("/", headers={"Accept-Language": "fr"})
    assert '<html lang="nl">' in page.text
    await post_form(client, "/language", {"language": "fr", "next": "/"})
    page = await client.get("/profile")
    assert '<html lang="fr">' in page.text
    assert 'value="fr" selected' in page.text
