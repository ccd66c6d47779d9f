"""What a person meets when an invitation, a sign-up or an account is not what it seems."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import BrowserContext, Page

from tests.browser.support import ADMIN, CYCLE, FACILITATOR, MEMBER_FR, watch_csp
from tests.browser.test_accessibility import AXE, AXE_OPTIONS, format_violations


def _accessible(page: Page) -> None:
    violations = AXE.run(page, options=AXE_OPTIONS).response["violations"]
    assert not violations, format_violations(violations)


def _invite(page: Page, *, email: str = "", role: str = "member", open_link: bool = False) -> str:
    page.goto(f"/cycles/{CYCLE}/invitations")
    form = page.locator("main form[action$='/invitations']")
    form.locator("select[name='role']").select_option(role)
    form.locator("input[name='email']").fill(email)
    if open_link:
        form.get_by_label("Lien ouvert, sans adresse").check()
    with page.expect_navigation():
        form.locator("button[type='submit']").click()
    return page.locator("#issued-link").input_value()


def test_a_forwarded_invitation_tells_the_signed_in_person_it_is_for_another_address(
    page_as: Callable[[str], Page],
) -> None:
    sophie = page_as(FACILITATOR)
    link = _invite(sophie, email="nouvelle.facilitatrice@ocmw.example", role="facilitator")
    julien = page_as(MEMBER_FR)
    csp_violations = watch_csp(julien)
    response = julien.goto(link)
    assert response is not None
    assert response.status == 403
    assert julien.locator("h1").inner_text() == "Cette invitation a été envoyée à une autre adresse"
    assert MEMBER_FR in julien.locator("main").inner_text()
    assert julien.locator("form[action*='/invitations/']").count() == 0
    _accessible(julien)
    assert not csp_violations


def test_an_admin_makes_an_open_link_and_the_list_shows_it_as_such(page_as: Callable[[str], Page]) -> None:
    admin = page_as(ADMIN)
    csp_violations = watch_csp(admin)
    _invite(admin, open_link=True)
    assert "Le lien ouvert est prêt" in admin.locator("[role='status']").inner_text()
    assert admin.locator("table.data").get_by_text("Lien ouvert").count() >= 1
    _accessible(admin)
    # A higher role for an open link is refused by the field, the choice kept.
    admin.goto(f"/cycles/{CYCLE}/invitations")
    form = admin.locator("main form[action$='/invitations']")
    form.locator("select[name='role']").select_option("facilitator")
    form.get_by_label("Lien ouvert, sans adresse").check()
    with admin.expect_navigation():
        form.locator("button[type='submit']").click()
    assert admin.locator("#role-error").inner_text() == "Un lien ouvert ne peut faire que des membres."
    assert admin.get_by_label("Lien ouvert, sans adresse").is_checked()
    _accessible(admin)
    assert not csp_violations


def test_a_sign_up_address_with_a_hidden_character_is_refused_by_its_field(
    page_as: Callable[[str], Page], new_context: Callable[..., BrowserContext]
) -> None:
    link = _invite(page_as(ADMIN), open_link=True)
    page = new_context().new_page()
    page.goto(link)
    form = page.locator("main form")
    form.locator("input[name='email']").fill("sophie.lambert\u200b@passerelle.example")
    form.locator("input[name='display_name']").fill("Sophie Lambert")
    form.locator("input[name='password']").fill("un-mot-de-passe-assez-long")
    form.locator("input[name='password_confirm']").fill("un-mot-de-passe-assez-long")
    with page.expect_navigation():
        form.locator("button[type='submit']").click()
    assert "caractère invisible" in page.locator("#email-error").inner_text()
    assert page.locator("input[name='display_name']").input_value() == "Sophie Lambert"
    assert page.locator("input[name='email']").get_attribute("aria-invalid") == "true"
    _accessible(page)


def _add_twin_of_sophie(database: Path) -> None:
    """An account made before the checks: Cyrillic «о» and «е» in Sophie's address and name."""
    from workspace.accounts.models import User
    from workspace.core.db import Database

    async def add() -> None:
        db = Database(f"sqlite+aiosqlite:///{database}")
        try:
            async with db.transaction() as session:
                session.add(User(email="s\u043ephie.lambert@passerelle.example", display_name="Sophi\u0435 Lambert"))
        finally:
            await db.dispose()

    worker = threading.Thread(target=lambda: asyncio.run(add()))
    worker.start()
    worker.join(timeout=30)


def test_the_admin_sees_an_account_that_looks_like_another(page_as: Callable[[str], Page], live_workdir: Path) -> None:
    _add_twin_of_sophie(live_workdir / "passerelle.sqlite3")
    admin = page_as(ADMIN)
    csp_violations = watch_csp(admin)
    admin.goto("/admin/users")
    assert admin.get_by_text("Ressemble à un autre compte").count() == 2
    _accessible(admin)
    twin = admin.locator("tr", has_text="Ressemble à un autre compte").filter(has_text="s\u043ephie")
    with admin.expect_navigation():
        twin.locator("a[href^='/admin/users/']").click()
    section = admin.locator("main section[aria-labelledby='lookalikes-heading']")
    assert "Adresse d’apparence identique" in section.inner_text()
    assert "CYRILLIC SMALL LETTER O" in section.inner_text()
    assert section.locator("a[href^='/admin/users/']").count() >= 1
    _accessible(admin)
    assert not csp_violations
