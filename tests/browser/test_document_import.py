"""A facilitator brings a past document into a finished cycle, on a phone: upload, review, create, in
French and in Dutch, with and without JavaScript, each page checked by axe-core."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.support import FACILITATOR, PUBLIC_CYCLE, watch_csp
from tests.browser.test_accessibility import AXE_OPTIONS, format_violations
from tests.recommendations.import_documents import DUTCH_MARKDOWN, FRENCH_MARKDOWN

AXE = Axe()
FACILITATOR_NL = "lieve.maes@passerelle.example"
PHONE = {"width": 360, "height": 740}
WORDS = {
    "fr": {
        "import": "Importer un document",
        "read": "Lire le document",
        "drop": "Écarter",
        "create": re.compile(r"Créer \d+ projets?"),
        "done": "projet",
        "from": "Importé de",
        "item": "point",
    },
    "nl": {
        "import": "Een document importeren",
        "read": "Het document lezen",
        "drop": "Schrappen",
        "create": re.compile(r"\d+ ontwerpen? aanmaken"),
        "done": "ontwerp",
        "from": "Geïmporteerd uit",
        "item": "punt",
    },
}


def check_page(page: Page, csp: list[str], scripts: bool = True) -> None:
    """One h1, nothing axe objects to, no CSP violation, nothing wider than the phone. Axe and the width
    run as scripts in the page: with JavaScript off they cannot run (Playwright waits forever), and the
    same pages are checked by the runs with JavaScript."""
    expect(page.locator("h1")).to_have_count(1)
    assert not csp, "\n".join(csp)
    if not scripts:
        return
    violations = AXE.run(page, options=AXE_OPTIONS).response["violations"]
    assert not violations, f"{page.url}: axe violations:\n{format_violations(violations)}"
    assert not csp, "\n".join(csp)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide on a {PHONE['width']}px phone"


@pytest.mark.parametrize(
    ("email", "lang", "javascript"),
    [(FACILITATOR, "fr", True), (FACILITATOR_NL, "nl", True), (FACILITATOR_NL, "nl", False)],
    ids=["fr", "nl", "nl-without-javascript"],
)
def test_facilitator_imports_a_document_into_a_past_cycle_on_a_phone(
    email: str,
    lang: str,
    javascript: bool,
    new_context: Callable[..., BrowserContext],
    signed_in_state: Callable[[str], dict],
    tmp_path: Path,
) -> None:
    words = WORDS[lang]
    context = new_context(storage_state=signed_in_state(email), viewport=PHONE, java_script_enabled=javascript)
    page = context.new_page()
    csp = watch_csp(page)
    page.goto(f"/cycles/{PUBLIC_CYCLE}")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    page.get_by_role("link", name=words["import"]).click()
    expect(page).to_have_url(re.compile(rf"/cycles/{PUBLIC_CYCLE}/imports$"))
    check_page(page, csp, javascript)

    notes = tmp_path / ("dossier-2012.md" if lang == "fr" else "werkgroep-2013.md")
    notes.write_text(FRENCH_MARKDOWN if lang == "fr" else DUTCH_MARKDOWN, encoding="utf-8")
    page.locator("input[type='file'][name='document']").set_input_files(str(notes))
    with page.expect_navigation():
        page.get_by_role("button", name=words["read"]).click()
    expect(page).to_have_url(re.compile(rf"/cycles/{PUBLIC_CYCLE}/imports/[0-9a-f-]+"))
    check_page(page, csp, javascript)
    expect(page.locator(".import-draft")).to_have_count(4)

    # Keep the first and last drafts only; give the first the governance axis.
    for number in (3, 2):
        with page.expect_navigation():
            page.locator(f"#draft-{number - 1}").get_by_role("button", name=re.compile(words["drop"])).click()
    expect(page.locator(".import-draft")).to_have_count(2)
    page.locator("#axis-0").select_option("G")
    check_page(page, csp, javascript)
    with page.expect_navigation():
        page.get_by_role("button", name=words["create"]).click()
    expect(page).to_have_url(re.compile(rf"/cycles/{PUBLIC_CYCLE}$"))
    expect(page.locator(".flash").first).to_contain_text(notes.name)

    page.goto(f"/cycles/{PUBLIC_CYCLE}/axes/g")
    title = "Former aux économies d'énergie" if lang == "fr" else "Stages over de grens"
    page.get_by_role("link", name=re.compile(re.escape(title))).first.click()
    expect(page.locator("main")).to_contain_text(f"{words['from']} {notes.name}, {words['item']} 1")
    check_page(page, csp, javascript)
