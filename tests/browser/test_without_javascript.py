"""The site works without JavaScript (progressive enhancement), and with the keyboard.

The language switch changes the signed-in person's profile language: the test switches back to French, so
the other browser tests keep seeing this person in French.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable

from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.support import CYCLE, MEMBER_FR, sign_in


def _switch_language(page: Page, language: str) -> None:
    switcher = page.locator("header form.lang-switcher")
    switcher.locator("select[name='language']").select_option(language)
    button = switcher.locator("button[type='submit']")
    expect(button).to_be_visible()
    with page.expect_navigation():
        button.click()


def test_member_journey_without_javascript(new_context: Callable[..., BrowserContext]) -> None:
    page = new_context(java_script_enabled=False).new_page()
    sign_in(page, MEMBER_FR)
    try:
        page.goto("/")
        expect(page.locator("html")).to_have_attribute("lang", "fr")

        page.locator(f"main a[href='/cycles/{CYCLE}/axes/p']").first.click()
        expect(page).to_have_url(re.compile(rf"/cycles/{CYCLE}/axes/p$"))
        expect(page.locator("h1")).to_have_count(1)

        page.locator("main a[href^='/recommendations/']").first.click()
        expect(page).to_have_url(re.compile(r"/recommendations/[0-9a-f-]+$"))
        recommendation_url = page.url
        expect(page.locator("h1")).to_have_count(1)

        # Without JavaScript nothing submits on change: the switcher's own button must be there to press.
        _switch_language(page, "nl")
        expect(page).to_have_url(recommendation_url)
        expect(page.locator("html")).to_have_attribute("lang", "nl")
        expect(page.locator("header select[name='language']")).to_have_value("nl")

        _switch_language(page, "fr")
        expect(page).to_have_url(recommendation_url)
        expect(page.locator("html")).to_have_attribute("lang", "fr")
    finally:
        # Leave the demo member in French whatever happened above.
        with contextlib.suppress(Exception):
            if page.locator("html").get_attribute("lang") != "fr":
                _switch_language(page, "fr")

    with page.expect_navigation():
        page.locator("header form[action='/logout'] button[type='submit']").click()
    expect(page.locator("header form[action='/logout']")).to_have_count(0)
    expect(page.locator("header a[href='/login']")).to_be_visible()
    page.goto("/profile")
    expect(page).to_have_url(re.compile(r"/login"))


def test_language_switcher_submits_on_change_with_javascript(page: Page) -> None:
    page.goto("/login")
    button = page.locator("header form.lang-switcher button[type='submit']")
    expect(button).to_be_hidden()

    with page.expect_navigation():
        page.locator("header select[name='language']").select_option("nl")

    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.locator("html")).to_have_attribute("lang", "nl")


def test_first_tab_focuses_the_visible_skip_link(page: Page) -> None:
    page.goto("/")

    page.keyboard.press("Tab")

    skip_link = page.locator("a.skip-link")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_have_attribute("href", "#main")
    # Focused, it must come into the viewport (it is moved out of sight until then).
    page.wait_for_function(
        """() => {
            const link = document.querySelector("a.skip-link");
            const box = link.getBoundingClientRect();
            const style = getComputedStyle(link);
            return box.width > 0 && box.height > 0 && box.top >= 0 && box.left >= 0
                && box.bottom <= innerHeight && box.right <= innerWidth
                && style.visibility !== "hidden" && style.opacity !== "0";
        }"""
    )

    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
