"""The results overview as a facilitator or a member reads it: the whole table on a laptop, one card per
recommendation on a phone, and why something was not adopted written in its row."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from tests.browser.support import FACILITATOR, MEMBER_NL, PUBLIC_CYCLE

RESULTS = f"/cycles/{PUBLIC_CYCLE}/vote"
OVERFLOWING = """() => Array.from(document.querySelectorAll(".table-wrap"))
  .filter(wrap => wrap.scrollWidth > wrap.clientWidth + 1).map(wrap => wrap.getAttribute("aria-labelledby"))"""


@pytest.mark.parametrize(
    ("who", "verdict", "your_ballot", "not_met"),
    [
        (FACILITATOR, "Décision", "Votre vote", "Conditions non remplies"),
        (MEMBER_NL, "Uitkomst", "Uw stem", "Voorwaarden niet vervuld"),
    ],
)
@pytest.mark.parametrize("width", [1280, 360])
def test_the_results_fit_the_page_and_say_why_something_was_not_adopted(
    page_as: Callable[[str], Page], who: str, verdict: str, your_ballot: str, not_met: str, width: int
) -> None:
    page = page_as(who)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(RESULTS)
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "nothing sticks out of the page"
    assert page.evaluate(OVERFLOWING) == [], "every column of every results table is in view"
    table = page.locator("table.result-table--overview").first
    for label in (verdict, your_ballot):
        if width > 700:
            header = table.locator("thead th", has_text=label)
            assert header.is_visible()
            box = header.bounding_box()
            assert box is not None
            assert box["x"] + box["width"] <= width
        else:
            assert table.locator(f"td[data-label='{label}']").first.is_visible()
    assert page.locator(".verdict-reasons__lead", has_text=not_met).first.is_visible()
    assert page.locator(".verdict-reasons li").count() >= 1
