"""The forms of a member's writing as they meet them: one preview on demand, with and without JavaScript, and
an amendment proposed in Dutch without JavaScript, then told apart in the list and read as a diff."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.support import CYCLE, MEMBER_FR, MEMBER_NL
from tests.browser.test_accessibility import AXE, AXE_OPTIONS, format_violations

TITLE = "Un guichet unique transfrontalier pour les jeunes en recherche de logement"
PREVIEW = {
    "fr": ("Prévisualiser tout le texte", "Aperçu du texte entier"),
    "nl": ("Voorbeeld van de hele tekst tonen", "Voorbeeld van de hele tekst"),
}


@pytest.fixture
def writer(
    new_context: Callable[..., BrowserContext], signed_in_state: Callable[[str], dict[str, Any]]
) -> Callable[..., Page]:
    def make(email: str, *, javascript: bool = True, width: int = 1280) -> Page:
        context = new_context(
            storage_state=signed_in_state(email),
            java_script_enabled=javascript,
            viewport={"width": width, "height": 800},
        )
        page = context.new_page()
        page.goto(f"/cycles/{CYCLE}/axes/p")
        page.get_by_role("link", name=TITLE).click()
        expect(page.locator("h1")).to_be_visible()
        return page

    return make


def test_without_javascript_the_preview_comes_back_with_every_typed_value(writer: Callable[..., Page]) -> None:
    page = writer(MEMBER_FR, javascript=False)
    page.goto(page.url + "/edit")
    page.locator("#harmonisation").fill("Un *même* accueil des deux côtés.")
    page.locator("#message").fill("Essai d'aperçu")
    button, heading = PREVIEW["fr"]
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    expect(page.locator("#preview em")).to_have_text("même")
    expect(page.locator("#harmonisation")).to_have_value("Un *même* accueil des deux côtés.")
    expect(page.locator("#message")).to_have_value("Essai d'aperçu")


@pytest.mark.parametrize("width", [360, 1280])
def test_with_javascript_the_preview_opens_in_place_and_fits_the_screen(
    writer: Callable[..., Page], width: int
) -> None:
    """(Checks that run scripts in the page, axe among them, need JavaScript: they are made here.)"""
    page = writer(MEMBER_FR, width=width)
    page.goto(page.url + "/edit")
    page.locator("#harmonisation").fill("Un *même* accueil des deux côtés.")
    button, heading = PREVIEW["fr"]
    page.get_by_role("button", name=button).click()
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    expect(page.locator("#preview em")).to_have_text("même")
    expect(page.locator("#harmonisation")).to_have_value("Un *même* accueil des deux côtés.")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    results = AXE.run(page, options=AXE_OPTIONS)
    assert not results.response["violations"], format_violations(results.response["violations"])


def test_an_amendment_in_dutch_without_javascript_is_previewed_proposed_and_told_apart(
    writer: Callable[..., Page],
    new_context: Callable[..., BrowserContext],
    signed_in_state: Callable[[str], dict[str, Any]],
) -> None:
    griet = writer(MEMBER_NL, javascript=False)
    recommendation = griet.url
    griet.goto(recommendation + "/amendments/new")
    expect(griet.locator("main")).to_contain_text(TITLE)
    griet.locator("#reason").fill("Het effect meetbaar maken")
    griet.locator("#expected_effect").fill("Diviser par deux le non-recours, mesuré chaque année.")
    button, heading = PREVIEW["nl"]
    with griet.expect_navigation():
        griet.get_by_role("button", name=button).click()
    expect(griet.get_by_role("heading", name=heading)).to_be_visible()
    expect(griet.locator("#reason")).to_have_value("Het effect meetbaar maken")
    with griet.expect_navigation():
        griet.get_by_role("button", name="Amendement voorstellen").click()

    expect(griet.locator("h1")).to_have_text(f"Amendement op ‘{TITLE}’")
    expect(griet.locator("nav.breadcrumbs")).to_contain_text(TITLE)
    expect(griet.locator("main .meta")).to_contain_text("Voorgesteld door")
    diff = griet.locator("#diff-expected_effect + .diff__text")
    expect(diff.locator("del").first).to_be_visible()
    expect(diff.locator("ins").first).to_be_visible()
    text = " ".join(diff.inner_text().split())
    assert "Diviser par deux le non-recours" in text
    assert re.search(r"[a-zà-ÿ.]Diviser", text) is None, text  # the words removed and added stay apart

    griet.goto(recommendation)
    listed = griet.locator("li.amendment-summary").filter(has_text="Het effect meetbaar maken")
    expect(listed).to_contain_text("Wijzigt: Verwacht effect")
    expect(listed).to_contain_text(re.compile(r"Amendement van Griet Vandenberghe, \d+ \w+ \d{4}"))
