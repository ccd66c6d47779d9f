"""Every page, as each kind of visitor, checked by axe-core against WCAG 2.0/2.1 A and AA.

On each page also: the language in `<html lang>`, exactly one `h1`, no Content Security Policy violation
reported in the console, and nothing sticking out sideways on a 360 px wide phone. The text itself may still
be partly English while the catalogues are being translated: only `lang` is checked here
(tests/browser/test_sign_in_languages.py checks data in Dutch).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, Page

from tests.browser.support import ADMIN, AUTHORITY, CYCLE, FACILITATOR, MEMBER_FR, MEMBER_NL, PUBLIC_CYCLE, watch_csp

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
AXE = Axe()

# Pages whose address depends on the demo data: found by following the first link of that kind on a page.
RECOMMENDATION = "<first recommendation of axis p>"
GROUP = "<first working group of the cycle>"
VOTED_RECOMMENDATION = "<first recommendation of axis p in the public cycle>"
PERSON = "<first person in the admin's list>"
FOUND_ON = {
    PERSON: ("/admin/users", "a[href^='/admin/users/']"),
    VOTED_RECOMMENDATION: (f"/cycles/{PUBLIC_CYCLE}/axes/p", "a[href^='/recommendations/']"),
    RECOMMENDATION: (f"/cycles/{CYCLE}/axes/p", "a[href^='/recommendations/']"),
    GROUP: (f"/cycles/{CYCLE}", "a[href^='/groups/']"),
}


@dataclass(frozen=True)
class Visit:
    who: str | None  # demo e-mail address, None for an anonymous visitor
    lang: str
    path: str
    status: int = 200


def _signed_in_pages(who: str, lang: str) -> dict[str, Visit]:
    return {
        "home": Visit(who, lang, "/"),
        "profile": Visit(who, lang, "/profile"),
        "password-forgot": Visit(who, lang, "/password/forgot"),
        "cycle": Visit(who, lang, f"/cycles/{CYCLE}"),
        "axis-p": Visit(who, lang, f"/cycles/{CYCLE}/axes/p"),
        "recommendation": Visit(who, lang, RECOMMENDATION),
        "group": Visit(who, lang, GROUP),
        "public-cycle": Visit(who, lang, f"/cycles/{PUBLIC_CYCLE}"),
        "vote-results": Visit(who, lang, f"/cycles/{PUBLIC_CYCLE}/vote?order=consensus"),
        "voted-recommendation": Visit(who, lang, VOTED_RECOMMENDATION),
        "vote-not-open": Visit(who, lang, f"/cycles/{CYCLE}/vote"),
        "not-found": Visit(who, lang, "/no-such-page", 404),
        "inbox": Visit(who, lang, "/inbox"),
        "notification-settings": Visit(who, lang, "/account/notifications"),
        "search-in-comments": Visit(who, lang, "/search?q=Tournai"),
    }


VISITS: dict[str, Visit] = {
    **{
        f"anonymous:{name}": visit
        for name, visit in {
            "home": Visit(None, "fr", "/"),
            "login": Visit(None, "fr", "/login"),
            "password-forgot": Visit(None, "fr", "/password/forgot"),
            "public-cycle": Visit(None, "fr", f"/cycles/{PUBLIC_CYCLE}"),
            "vote-results": Visit(None, "fr", f"/cycles/{PUBLIC_CYCLE}/vote"),
            "dossier": Visit(None, "fr", f"/cycles/{PUBLIC_CYCLE}/dossier"),
            "dossier-nl": Visit(None, "fr", f"/cycles/{PUBLIC_CYCLE}/dossier/versions/1?language=nl"),
            "follow-up": Visit(None, "fr", f"/cycles/{PUBLIC_CYCLE}/follow-up"),
            "follow-up-overview": Visit(None, "fr", "/follow-up"),
            "not-found": Visit(None, "fr", "/no-such-page", 404),
            "oidc-unknown-provider": Visit(None, "fr", "/login/oidc/nowhere", 404),
            "oidc-callback-without-sign-in": Visit(None, "fr", "/login/oidc/nowhere/callback?code=x&state=y", 404),
        }.items()
    },
    **{f"member-fr:{name}": visit for name, visit in _signed_in_pages(MEMBER_FR, "fr").items()},
    **{f"member-nl:{name}": visit for name, visit in _signed_in_pages(MEMBER_NL, "nl").items()},
    "admin:admin": Visit(ADMIN, "fr", "/admin"),
    "admin:people": Visit(ADMIN, "fr", "/admin/users"),
    "admin:person": Visit(ADMIN, "fr", PERSON),
    "member-fr:privacy": Visit(MEMBER_FR, "fr", "/profile/privacy"),
    "member-nl:privacy": Visit(MEMBER_NL, "nl", "/profile/privacy"),
    "admin:invitations": Visit(ADMIN, "fr", f"/cycles/{CYCLE}/invitations"),
    "facilitator:home": Visit(FACILITATOR, "fr", "/"),
    "facilitator:cycle": Visit(FACILITATOR, "fr", f"/cycles/{CYCLE}"),
    "facilitator:invitations": Visit(FACILITATOR, "fr", f"/cycles/{CYCLE}/invitations"),
    "facilitator:working-groups": Visit(FACILITATOR, "fr", f"/cycles/{CYCLE}/working-groups"),
    "facilitator:axes": Visit(FACILITATOR, "fr", f"/cycles/{CYCLE}/axes"),
    "facilitator:voting-rules": Visit(FACILITATOR, "fr", f"/cycles/{CYCLE}/voting-rules"),
    "facilitator:frozen-rules": Visit(FACILITATOR, "fr", f"/cycles/{PUBLIC_CYCLE}/voting-rules"),
    "facilitator:colloquium": Visit(FACILITATOR, "fr", f"/cycles/{PUBLIC_CYCLE}/colloquium"),
    "facilitator:recommendation": Visit(FACILITATOR, "fr", RECOMMENDATION),
    "facilitator:moderation": Visit(FACILITATOR, "fr", f"/cycles/{CYCLE}/moderation"),
    "facilitator:audit": Visit(FACILITATOR, "fr", f"/cycles/{CYCLE}/audit"),
    "facilitator:consolidation": Visit(FACILITATOR, "fr", f"/cycles/{PUBLIC_CYCLE}/dossier/consolidation"),
    "facilitator:dossier-preview": Visit(FACILITATOR, "fr", f"/cycles/{PUBLIC_CYCLE}/dossier/preview?language=fr-nl"),
    "facilitator:carry-over": Visit(FACILITATOR, "fr", f"/cycles/{PUBLIC_CYCLE}/carry-over"),
    "authority:home": Visit(AUTHORITY, "nl", "/"),
    "authority:answers": Visit(AUTHORITY, "nl", f"/cycles/{PUBLIC_CYCLE}/answers"),
    "authority:follow-up": Visit(AUTHORITY, "nl", f"/cycles/{PUBLIC_CYCLE}/follow-up"),
}


@pytest.fixture(scope="session")
def demo_paths() -> dict[str, str]:
    """Addresses found by following links, filled in on first use (see `_resolve`)."""
    return {}


def _resolve(path: str, page: Page, known: dict[str, str]) -> str:
    if path not in FOUND_ON:
        return path
    if path not in known:
        listing, selector = FOUND_ON[path]
        page.goto(listing)
        link = page.locator(f"main {selector}").first
        href = link.get_attribute("href") if link.count() else None
        assert href, f"no link {selector!r} on {listing}"
        known[path] = href
    return known[path]


def format_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation.get('impact')}): {violation['help']} — {violation['helpUrl']}")
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    at {target}")
            summary = " ".join((node.get("failureSummary") or "").split())
            if summary:
                lines.append(f"       {summary}")
    return "\n".join(lines)


PHONE = {"width": 360, "height": 800}
STICKING_OUT = """() => {
  const width = document.documentElement.clientWidth, out = [];
  for (const element of document.querySelectorAll("body *")) {
    if (element.getBoundingClientRect().right <= width + 1) continue;
    let scroller = element.parentElement, inside = false;
    for (; scroller; scroller = scroller.parentElement) {
      const overflow = getComputedStyle(scroller).overflowX;
      if (overflow === "auto" || overflow === "scroll" || overflow === "hidden") { inside = true; break; }
    }
    const name = element.className ? "." + String(element.className).split(" ")[0] : "";
    if (!inside) out.push(element.tagName.toLowerCase() + name);
  }
  return document.documentElement.scrollWidth > width ? out.slice(0, 8) : [];
}"""
"""Elements wider than a phone's screen outside a region that scrolls on its own (a table's wrapper), only
when the page as a whole scrolls sideways."""


class WrongLanguageError(AssertionError):
    """The page is not in the visitor's language (kept apart so that a known bug can be marked on its own)."""


@pytest.mark.parametrize("name", list(VISITS))
def test_page_is_accessible(
    name: str,
    new_context: Callable[..., BrowserContext],
    page_as: Callable[[str], Page],
    demo_paths: dict[str, str],
) -> None:
    visit = VISITS[name]
    page = new_context().new_page() if visit.who is None else page_as(visit.who)
    path = _resolve(visit.path, page, demo_paths)
    csp_violations = watch_csp(page)

    response = page.goto(path)

    assert response is not None
    assert response.status == visit.status, f"{path}: HTTP {response.status}, expected {visit.status}"
    headings = page.locator("h1")
    assert headings.count() == 1, f"{path}: {headings.count()} h1 elements: {headings.all_inner_texts()}"

    results = AXE.run(page, options=AXE_OPTIONS)
    violations = results.response["violations"]
    assert not violations, f"{path}: {len(violations)} axe violation(s):\n{format_violations(violations)}"
    assert not csp_violations, f"{path}: Content Security Policy violations:\n" + "\n".join(csp_violations)

    page.set_viewport_size(PHONE)
    wide = page.evaluate(STICKING_OUT)
    assert not wide, f"{path} at {PHONE['width']} px: these stick out of the page (sideways scrolling): {wide}"

    lang = page.locator("html").get_attribute("lang")
    if lang != visit.lang:
        raise WrongLanguageError(f"{path}: <html lang={lang!r}>, expected {visit.lang!r}")


LOCKED_ACCOUNT = (
    "bart.claeys@passerelle.example"  # the demo's authority reviewer: no other browser test signs in as him
)


def test_the_slowed_down_sign_in_page_is_accessible(new_context: Callable[..., BrowserContext]) -> None:
    """Five wrong passwords: the sign-in page comes back with the address kept and when to try again."""
    page = new_context().new_page()
    csp_violations = watch_csp(page)
    for _attempt in range(5):
        page.goto("/login")
        form = page.locator("main form[action='/login']")
        form.locator("input[name='email']").fill(LOCKED_ACCOUNT)
        form.locator("input[name='password']").fill("not-the-password")
        with page.expect_navigation():
            form.locator("button[type='submit']").click()
    assert page.locator("h1").count() == 1
    assert "Réessayez dans 30" in page.locator(".form-errors").inner_text()  # "Try again in 30 seconds", in French
    assert page.locator("main input[name='email']").input_value() == LOCKED_ACCOUNT
    assert page.locator("main a[href='/password/forgot']").count() >= 1
    violations = AXE.run(page, options=AXE_OPTIONS).response["violations"]
    assert not violations, format_violations(violations)
    assert not csp_violations
