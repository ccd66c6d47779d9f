"""A corpus of XSS payloads submitted through every text field never runs script in a real Chromium.

Each form is filled in through the page, every text field with a payload of the corpus (in turn, so that
every payload goes through several fields); then every page that shows the text is opened. Three checks
on each: no dialog opened (the payloads call alert), no marker set on `window`, and no element the
payloads try to create (a script, an event handler attribute, a javascript: link) in the page.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from playwright.sync_api import Dialog, Page

from tests.browser.support import ADMIN, CYCLE, MEMBER_FR

CORPUS = (
    "<script>alert('xss-1');window.__xss=1</script>",
    '"><img src=x onerror="alert(\'xss-2\');window.__xss=2">',
    "<svg onload=alert('xss-3')>",
    "[lien](javascript:alert('xss-4'))",
    "<a href=\"javascript:alert('xss-5')\">clic</a>",
    "'><iframe src=\"javascript:alert('xss-6')\"></iframe>",
    '<div onmouseover="alert(\'xss-7\')" style="position:fixed;inset:0">survol</div>',
    "{{ 7*7 }}{% raw %}<script>alert('xss-8')</script>",
    "![img](x\" onerror=\"alert('xss-9'))",
    "<details open ontoggle=alert('xss-10')>",
    "javascript:alert('xss-11')",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('xss-12')>",
)
INJECTED = (
    "script:not([src]), [onerror], [onload], [onmouseover], [ontoggle], iframe, object, embed, "
    "a[href^='javascript:' i], img[src='x']"
)


class Watch:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.dialogs: list[str] = []
        page.on("dialog", self._on_dialog)

    def _on_dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def check(self, path: str) -> None:
        response = self.page.goto(path)
        assert response is not None
        assert response.status < 500, f"{path}: HTTP {response.status}"
        self.page.mouse.move(200, 200)
        self.page.wait_for_timeout(50)
        assert not self.dialogs, f"{path}: script ran: {self.dialogs}"
        assert self.page.evaluate("window.__xss") is None, f"{path}: script ran"
        injected = self.page.evaluate(
            f'Array.from(document.querySelectorAll("main {INJECTED}")).map(e => e.outerHTML.slice(0, 120))'
        )
        assert not injected, f"{path}: user text became markup: {injected}"


def fill_every_text_field(page: Page, form_selector: str, offset: int = 0) -> None:
    fields = page.locator(
        f"{form_selector} input[type='text'], {form_selector} input:not([type]), {form_selector} textarea"
    )
    for index in range(fields.count()):
        field = fields.nth(index)
        if field.is_visible() and field.is_editable():
            field.fill(CORPUS[(index + offset) % len(CORPUS)])


def submit(page: Page, form_selector: str) -> None:
    with page.expect_navigation():
        page.locator(f"{form_selector} button[type='submit']").first.click()


def shows_payload_as_text(page: Page) -> bool:
    text = page.locator("main").inner_text()
    return any(payload in text for payload in CORPUS)


def test_recommendation_fields_never_run_script(page_as: Callable[[str], Page]) -> None:
    page = page_as(MEMBER_FR)
    watch = Watch(page)
    for offset in (0, 6):
        page.goto(f"/cycles/{CYCLE}/axes/p/new")
        fill_every_text_field(page, "main form[method='post']", offset)
        submit(page, "main form[method='post']")
        assert "/recommendations/" in page.url, f"the recommendation was not saved: {page.url}"
        path = page.url.split("?")[0].removeprefix(page.url.split("/recommendations/")[0])
        assert shows_payload_as_text(page)
        for view in ("", "/edit", "/history", "/languages", "/amendments/new"):
            watch.check(path + view)
    watch.check(f"/cycles/{CYCLE}/axes/p")
    watch.check(f"/cycles/{CYCLE}/vote")


def test_glossary_fields_never_run_script(page_as: Callable[[str], Page]) -> None:
    page = page_as(ADMIN)
    watch = Watch(page)
    for offset in (0, 5):
        page.goto("/glossary/new")
        fill_every_text_field(page, "main form[method='post']", offset)
        submit(page, "main form[method='post']")
        watch.check("/glossary")
        assert shows_payload_as_text(page), "the glossary term was not saved"
    watch.check(f"/cycles/{CYCLE}/axes/p")


def test_cycle_and_invitation_fields_never_run_script(page_as: Callable[[str], Page]) -> None:
    page = page_as(ADMIN)
    watch = Watch(page)
    page.goto("/admin")
    form = "main form[action='/admin/cycles']"
    page.locator(f"{form} input[name='year']").fill("2031")
    fill_every_text_field(page, form)
    submit(page, form)
    watch.check("/admin")
    assert shows_payload_as_text(page), "the cycle was not created"
    watch.check("/")
    page.goto(f"/cycles/{CYCLE}/invitations")
    form = f"main form[action='/cycles/{CYCLE}/invitations']"
    fill_every_text_field(page, form, 3)
    page.locator(f"{form} input[name='email'], {form} input[type='email']").first.fill("new.person@example.org")
    submit(page, form)
    watch.check(f"/cycles/{CYCLE}/invitations")
    assert "new.person@example.org" in page.locator("main").inner_text(), "the invitation was not created"


def test_profile_fields_never_run_script(page_as: Callable[[str], Page]) -> None:
    page = page_as(MEMBER_FR)
    watch = Watch(page)
    page.goto("/profile")
    form = "main form[action='/profile']"
    original = {
        name: page.locator(f"{form} [name='{name}']").input_value() for name in ("display_name", "organisation")
    }
    try:
        fill_every_text_field(page, form, 1)
        submit(page, form)
        for path in ("/profile", "/", f"/cycles/{CYCLE}", f"/cycles/{CYCLE}/axes/p"):
            watch.check(path)
        assert CORPUS[1] in page.locator("header").inner_text()
    finally:
        page.goto("/profile")
        for name, value in original.items():
            page.locator(f"{form} [name='{name}']").fill(value)
        submit(page, form)


def test_reflected_input_never_runs_script(page_as: Callable[[str], Page]) -> None:
    page = page_as(MEMBER_FR)
    watch = Watch(page)
    for payload in CORPUS:
        watch.check(f"/search?q={quote(payload)}")
        watch.check(f"/login?next={quote(payload)}")
        watch.check(f"/{quote(payload, safe='')}")
