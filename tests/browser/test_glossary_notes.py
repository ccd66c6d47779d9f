"""A glossary term in a recommendation opens its meaning: by keyboard, by a tap, on a phone, with and without
JavaScript, in French and in Dutch (the demo's "guichet unique" names the CCAS, the CPAS and the OCMW)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.browser.support import CYCLE, MEMBER_FR, MEMBER_NL, watch_csp
from tests.browser.test_accessibility import AXE, AXE_OPTIONS, format_violations

TITLE = "Un guichet unique transfrontalier pour les jeunes en recherche de logement"
# The first words of the demo glossary's definition of the CCAS, in each reader's language.
MEANING = {
    "fr": "Centre communal d'action sociale : établissement public",
    "nl": "Centre communal d'action sociale: Franse",
}
ENTRY = {"fr": "L’entrée du glossaire", "nl": "Het lemma in de woordenlijst"}
READERS = [pytest.param(MEMBER_FR, "fr", id="fr"), pytest.param(MEMBER_NL, "nl", id="nl")]


@pytest.fixture
def reader(
    new_context: Callable[..., BrowserContext], signed_in_state: Callable[[str], dict[str, Any]]
) -> Callable[..., Page]:
    """`reader(email, javascript=..., width=...)`: that member's page on the recommendation, at that width."""

    def make(email: str, *, javascript: bool = True, width: int = 1280, touch: bool = False) -> Page:
        context = new_context(
            storage_state=signed_in_state(email),
            java_script_enabled=javascript,
            viewport={"width": width, "height": 800},
            has_touch=touch,
        )
        page = context.new_page()
        page.goto(f"/cycles/{CYCLE}/axes/p")
        page.get_by_role("link", name=TITLE).click()
        expect(page.locator("h1")).to_be_visible()
        return page

    return make


def first_term(page: Page) -> tuple[Locator, Locator]:
    term = page.locator("main button.glossary-term").first
    note = page.locator(f"#{term.get_attribute('popovertarget')}")
    return term, note


def tab_to(page: Page, element: Locator) -> None:
    for _ in range(120):
        page.keyboard.press("Tab")
        if element.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError("the element is never reached with the Tab key")


def assert_on_screen(page: Page, note: Locator) -> None:
    box = note.bounding_box()
    viewport = page.viewport_size
    assert box
    assert viewport
    assert box["x"] >= 0, box
    assert box["x"] + box["width"] <= viewport["width"], box
    assert box["y"] >= 0, box
    assert box["y"] + box["height"] <= viewport["height"], box
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


@pytest.mark.parametrize(("email", "language"), READERS)
def test_reaching_a_term_with_the_keyboard_shows_what_it_means(
    reader: Callable[..., Page], email: str, language: str
) -> None:
    page = reader(email)
    violations = watch_csp(page)
    term, note = first_term(page)
    expect(term).to_have_text("CCAS")
    expect(note).to_be_hidden()

    tab_to(page, term)

    expect(note).to_be_visible()
    expect(note.locator(".glossary-note__text")).to_have_attribute("lang", language)
    expect(note).to_contain_text(MEANING[language])
    expect(note).to_contain_text("OCMW (NL)")
    results = AXE.run(page, options=AXE_OPTIONS)
    assert not results.response["violations"], format_violations(results.response["violations"])
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text(ENTRY[language] + " (CCAS)")
    page.keyboard.press("Escape")
    expect(note).to_be_hidden()
    assert not violations


@pytest.mark.parametrize(("email", "language"), READERS)
def test_without_javascript_a_term_opens_its_meaning_from_the_keyboard_and_leads_to_the_glossary(
    reader: Callable[..., Page], email: str, language: str
) -> None:
    page = reader(email, javascript=False)
    term, note = first_term(page)
    tab_to(page, term)
    page.keyboard.press("Enter")
    expect(note).to_be_visible()
    expect(note).to_contain_text(MEANING[language])
    # on from the keyboard too: the note's link comes next in the tab order (a click could meet the
    # anchored note while it settles, on a busy machine)
    tab_to(page, note.get_by_role("link"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/glossary#term-[0-9a-f-]+$"))
    expect(page.locator(":target h2")).to_be_visible()


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
@pytest.mark.parametrize(("email", "language"), READERS)
def test_a_tap_on_a_phone_opens_the_meaning_on_screen_and_a_tap_elsewhere_closes_it(
    reader: Callable[..., Page], email: str, language: str, javascript: bool
) -> None:
    page = reader(email, javascript=javascript, width=360, touch=True)
    term, note = first_term(page)
    term.scroll_into_view_if_needed()
    term.tap()
    expect(note).to_be_visible()
    expect(note).to_contain_text(MEANING[language])
    assert_on_screen(page, note)
    page.locator("h1").tap()
    expect(note).to_be_hidden()


def test_on_a_wide_screen_the_meaning_opens_next_to_the_word(reader: Callable[..., Page]) -> None:
    page = reader(MEMBER_FR)
    term, note = first_term(page)
    term.scroll_into_view_if_needed()
    term.click()
    expect(note).to_be_visible()
    assert_on_screen(page, note)
    word, box = term.bounding_box(), note.bounding_box()
    assert word
    assert box
    assert abs(box["x"] - word["x"]) < 450, (word, box)
    below, above = abs(box["y"] - word["y"] - word["height"]), abs(box["y"] + box["height"] - word["y"])
    assert min(below, above) < 20, (word, box)
