"""What a member finds in their day: a word said in a discussion leads to the comment, and a full name in
their own draft is highlighted where it stands, in French and Dutch, with and without JavaScript."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.support import CYCLE, MEMBER_FR, MEMBER_NL
from tests.browser.test_accessibility import AXE, AXE_OPTIONS, format_violations

TITLE = "Un guichet unique transfrontalier pour les jeunes en recherche de logement"
SEARCH = {
    "fr": ("Mots à rechercher", "Rechercher", "Dans un commentaire de"),
    "nl": ("Te zoeken woorden", "Zoeken", "In een reactie van"),
}


@pytest.fixture
def person(
    new_context: Callable[..., BrowserContext], signed_in_state: Callable[[str], dict[str, Any]]
) -> Callable[..., Page]:
    def make(email: str, *, javascript: bool = True, width: int = 1280) -> Page:
        context = new_context(
            storage_state=signed_in_state(email),
            java_script_enabled=javascript,
            viewport={"width": width, "height": 800},
        )
        return context.new_page()

    return make


@pytest.mark.parametrize(("who", "lang", "javascript"), [(MEMBER_FR, "fr", False), (MEMBER_NL, "nl", True)])
def test_a_word_from_a_comment_leads_from_the_search_to_that_comment(
    person: Callable[..., Page], who: str, lang: str, javascript: bool
) -> None:
    page = person(who, javascript=javascript, width=360)
    page.goto("/search")
    label, button, passage = SEARCH[lang]
    page.get_by_label(label).fill("personeelskosten")
    page.locator("main form[role=search]").get_by_role("button", name=button, exact=True).click()
    results = page.locator("#search-results")
    expect(results.locator("mark", has_text="personeelskosten").first).to_be_visible()
    link = results.get_by_role("link", name=passage).first
    expect(link).to_be_visible()
    with page.expect_navigation():
        link.click()
    fragment = page.url.rsplit("#", 1)[1]
    assert fragment.startswith("comment-")
    expect(page.locator(f"#{fragment}")).to_contain_text("personeelskosten")
    if javascript:
        assert page.evaluate("document.documentElement.scrollWidth") <= 360


@pytest.mark.parametrize("javascript", [False, True])
def test_the_author_sees_the_full_name_in_their_draft_highlighted_and_reaches_it_from_the_list(
    person: Callable[..., Page], javascript: bool
) -> None:
    page = person(MEMBER_FR, javascript=javascript)
    page.goto(f"/cycles/{CYCLE}/axes/p")
    page.get_by_role("link", name=TITLE).click()
    guard = page.locator("#privacy")
    expect(guard).to_contain_text("«\u00a0Sylvie Dupont\u00a0» (le prénom et le nom d’une personne)")
    mark = page.locator("mark.privacy-mark", has_text="Sylvie Dupont")
    expect(mark).to_have_count(1)
    guard.get_by_role("link", name="Le montrer dans le texte").click()
    assert page.url.endswith("#" + (mark.get_attribute("id") or "?"))
    if javascript:
        expect(mark).to_be_in_viewport()
        results = AXE.run(page, options=AXE_OPTIONS)
        assert results.violations_count == 0, format_violations(results)
