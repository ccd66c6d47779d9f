"""The profile page and the language a person reads the site in."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.factories import make_user
from tests.helpers import headings, post_form, sign_in
from workspace.accounts.models import Language, User

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


LOOK_ALIKE_SIGN_UPS = {
    "zero-width space in the address": ("email", "sophie.lambert\u200b@passerelle.example", "Sophie Lambert"),
    "Cyrillic o in the address": ("email", "s\u043ephie.lambert@passerelle.example", "Sophie Lambert"),
    "name of zero-width characters": ("display_name", "sophie@ocmw.example", "\u200b\u200c\u200d"),
    "name of bidi controls": ("display_name", "sophie@ocmw.example", "\u202eSophie Lambert\u202c"),
    "Cyrillic look-alikes in the name": ("display_name", "sophie@ocmw.example", "S\u043eph\u0456e Lambert"),
    "name over two lines": ("display_name", "sophie@ocmw.example", "Sophie\nLambert"),
}


@pytest.mark.parametrize("case", LOOK_ALIKE_SIGN_UPS)
async def test_a_sign_up_that_looks_like_someone_else_is_refused_by_the_field(client, db, case):
    from datetime import timedelta

    from tests.accounts.test_invitations import SIGN_UP
    from tests.factories import make_cycle
    from workspace.accounts.models import MembershipRole
    from workspace.core.tokens import new_token, utcnow
    from workspace.cycles.models import Invitation

    field, email, name = LOOK_ALIKE_SIGN_UPS[case]
    await make_user(db, email="sophie.lambert@passerelle.example", display_name="Sophie Lambert")
    cycle = await make_cycle(db)
    token, token_hash = new_token()  # an admin's open link: an addressed one would refuse another address anyway
    async with db.transaction() as session:
        session.add(
            Invitation(
                token_hash=token_hash,
                email=None,
                role=MembershipRole.MEMBER,
                cycle_id=cycle.id,
                expires_at=utcnow() + timedelta(days=3),
            )
        )
    response = await post_form(
        client, f"/signup/{token}", {**SIGN_UP, "email": email, "display_name": name}, token_from=f"/signup/{token}"
    )
    assert response.status_code == 400, case
    assert f'id="{field}-error"' in response.text
    async with db.session(write=False) as session:
        assert await session.scalar(select(func.count()).select_from(User)) == 1  # Sophie alone


async def test_addresses_and_names_are_normalised_so_full_width_letters_find_the_account(client, db):
    user = await make_user(db, email="julien.deroo@passerelle.example")
    await sign_in(client, "\uff4aulien.deroo@passerelle.example")  # a full-width "ｊ"
    assert user.email


async def test_a_name_in_another_alphabet_is_fine_but_a_profile_name_with_a_line_break_is_not(client, db):
    user = await make_user(db)
    await sign_in(client, user)
    data = {
        "display_name": "Олена Коваль",
        "organisation": "",
        "territory": "nord",
        "side": "",
        "actor_kind": "social_worker",
        "language": "fr",
    }
    assert (await post_form(client, "/profile", data, token_from="/profile")).status_code == 303
    broken = await post_form(client, "/profile", {**data, "display_name": "Olena\r\nKoval"}, token_from="/profile")
    assert broken.status_code == 400
    assert 'id="display_name-error"' in broken.text


async def test_the_admin_sees_accounts_that_look_like_another(client, db):
    sophie = await make_user(db, email="sophie.lambert@passerelle.example", display_name="Sophie Lambert")
    # Made before the checks (or by a provider's claims): Cyrillic «о» and «е».
    twin = await make_user(db, email="s\u043ephie.lambert@passerelle.example", display_name="Sophi\u0435 Lambert")
    other = await make_user(db, display_name="Julien Deroo")
    admin = await make_user(db, is_admin=True)
    await sign_in(client, admin)
    people = await client.get("/admin/users")
    assert people.text.count("Ressemble à un autre compte") == 2
    page = await client.get(f"/admin/users/{twin.id}")
    assert f'href="/admin/users/{sophie.id}"' in page.text
    assert "Adresse d’apparence identique" in page.text
    assert "Nom d’apparence identique" in page.text
    assert "CYRILLIC SMALL LETTER O" in page.text
    assert "Ressemble à un autre compte" not in (await client.get(f"/admin/users/{other.id}")).text
