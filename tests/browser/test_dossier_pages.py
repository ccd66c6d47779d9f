"""The dossier as people read it on its pages: everyone's markdown sits inside `hx-disable`, as on the other
pages, so that no attribute that slipped through the sanitiser could make htmx act on it."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page

from tests.browser.support import FACILITATOR, PUBLIC_CYCLE

PEOPLES_TEXT = "main .markdown, main .dossier__entry-title, main .dossier__views, main .dossier__comment"
OUTSIDE_HX_DISABLE = """selector => Array.from(document.querySelectorAll(selector))
  .filter(element => !element.closest("[hx-disable]")).map(element => element.outerHTML.slice(0, 120))"""


def test_the_published_dossier_and_its_preview_keep_everyones_text_inside_hx_disable(
    page: Page, page_as: Callable[[str], Page]
) -> None:
    page.goto(f"/cycles/{PUBLIC_CYCLE}/dossier")
    assert page.locator("main .dossier .markdown").count() > 3, "the published dossier shows people's text"
    assert page.evaluate(OUTSIDE_HX_DISABLE, PEOPLES_TEXT) == []
    facilitator = page_as(FACILITATOR)
    facilitator.goto(f"/cycles/{PUBLIC_CYCLE}/dossier/preview?language=fr")
    assert facilitator.locator("main .dossier .markdown").count() > 3, "the preview shows people's text"
    assert facilitator.evaluate(OUTSIDE_HX_DISABLE, PEOPLES_TEXT) == []
