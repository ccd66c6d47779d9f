"""A member writes a comment, signs out in another tab, then sends it: nothing is lost. They are sent to
sign in, told why, shown what they wrote, and post it with one more click (with JavaScript and without)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.browser.support import MEMBER_FR, sign_in
from tests.browser.test_discussion import discussed  # noqa: F401 - fixture


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_a_comment_sent_after_signing_out_elsewhere_is_posted_after_signing_in_again(
    new_context: Callable[..., BrowserContext],
    discussed: str,  # noqa: F811 - the fixture imported above
    javascript: bool,
) -> None:
    context = new_context(java_script_enabled=javascript)
    page = context.new_page()
    sign_in(page, MEMBER_FR)
    page.goto(discussed)
    text = f"Le CCAS de Tourcoing reçoit le jeudi ({'avec' if javascript else 'sans'} JavaScript)."
    page.locator("#body").fill(text)

    other_tab = context.new_page()
    other_tab.goto("/")
    with other_tab.expect_navigation():
        other_tab.locator("form[action='/logout'] button").click()

    page.locator("#comment-form button[type='submit']").click()
    page.wait_for_url("**/login?next=/kept")
    expect(page.locator("main")).to_contain_text("Votre session avait pris fin")
    form = page.locator("main form[action='/login']")
    form.locator("input[name='email']").fill(MEMBER_FR)
    form.locator("input[name='password']").fill("passerelle-demo")
    with page.expect_navigation():
        form.locator("button[type='submit']").click()

    assert page.url.endswith("/kept")
    expect(page.locator("main textarea")).to_have_value(text)
    with page.expect_navigation():
        page.get_by_role("button", name="Envoyer à nouveau").click()
    assert discussed in page.url
    expect(page.locator("#comment-list")).to_contain_text(text)
