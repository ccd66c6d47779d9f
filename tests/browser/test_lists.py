"""The lists of recommendations (an axis, the search, the ballot paper) with their facts and filter form,
at a phone's 360 px and on a desktop, in French and in Dutch: nothing sticks out sideways, axe reports
nothing, and a filter chosen without JavaScript stays in the address and the form."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.browser.support import CYCLE, MEMBER_FR, MEMBER_NL, PUBLIC_CYCLE, watch_csp
from tests.browser.test_accessibility import AXE, AXE_OPTIONS, format_violations

LISTS = {
    "axis": f"/cycles/{CYCLE}/axes/p?language=nl&order=discussed",
    "public-axis-by-consensus": f"/cycles/{PUBLIC_CYCLE}/axes/p?order=consensus",
    "search": "/search?q=logement&order=newest",
    "ballot-paper": f"/cycles/{CYCLE}/vote?axis=p",
}
SCREENSHOTS = os.environ.get("PASSERELLE_SCREENSHOTS")
"""A folder to keep each page's picture in, for a person to look at (never committed)."""


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("who", [MEMBER_FR, MEMBER_NL])
@pytest.mark.parametrize("name", list(LISTS))
def test_a_list_of_recommendations_fits_the_screen_and_passes_axe(
    name: str, who: str, width: int, page_as: Callable[[str], Page], signed_in_state: Callable[[str], dict[str, Any]]
) -> None:
    page = page_as(who)
    page.set_viewport_size({"width": width, "height": 900})
    csp_violations = watch_csp(page)
    response = page.goto(LISTS[name])
    assert response is not None
    assert response.status == 200
    assert page.locator("h1").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "nothing sticks out of the page"
    results = AXE.run(page, options=AXE_OPTIONS)
    violations = results.response["violations"]
    assert not violations, f"{name}: {len(violations)} axe violation(s):\n{format_violations(violations)}"
    assert not csp_violations
    if SCREENSHOTS:
        language = "nl" if who == MEMBER_NL else "fr"
        page.screenshot(path=f"{SCREENSHOTS}/{name}-{language}-{width}.png", full_page=True)


def test_a_member_filters_the_axis_page_without_javascript(new_context, signed_in_state) -> None:
    page = new_context(storage_state=signed_in_state(MEMBER_NL), java_script_enabled=False).new_page()
    page.goto(f"/cycles/{CYCLE}/axes/p")
    page.select_option("#axis-language", "nl")
    page.select_option("#axis-order", "newest")
    page.get_by_role("button", name="Tonen").click()
    assert "language=nl" in page.url
    assert "order=newest" in page.url
    assert page.locator("#axis-language").input_value() == "nl"
    assert page.locator("#axis-order").input_value() == "newest"
