"""Shared by the browser tests: the demo people and cycles, signing in through the form, watching the console."""

from __future__ import annotations

from playwright.sync_api import ConsoleMessage, Page

DEMO_PASSWORD = "passerelle-demo"
ADMIN = "admin@passerelle.example"
FACILITATOR = "sophie.lambert@passerelle.example"
MEMBER_FR = "julien.deroo@passerelle.example"
MEMBER_NL = "griet.vandenberghe@passerelle.example"
AUTHORITY = "bart.claeys@passerelle.example"

CYCLE = "2013-acces-logement-jeunes"
PUBLIC_CYCLE = "2012-developpement-durable-logement"


def sign_in(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the real login form, as a person would, and check it worked."""
    page.goto("/login")
    form = page.locator("main form[action='/login']")
    form.locator("input[name='email']").fill(email)
    form.locator("input[name='password']").fill(password)
    with page.expect_navigation():
        form.locator("button[type='submit']").click()
    assert not page.url.split("?")[0].endswith("/login"), f"signing in as {email} failed: still on {page.url}"
    assert page.locator("form[action='/logout']").count() == 1, f"no sign-out button after signing in as {email}"


def watch_csp(page: Page) -> list[str]:
    """Collect the console messages in which Chromium reports Content Security Policy violations."""
    violations: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "content security policy" in message.text.lower():
            violations.append(f"{message.type}: {message.text}")

    page.on("console", on_console)
    return violations
