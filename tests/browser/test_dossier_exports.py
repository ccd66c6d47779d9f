"""Exporting the published demo dossier from a browser: the progress page is accessible, updates itself
(htmx polling with JavaScript, a meta refresh without) and ends on a download link."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import BrowserContext, expect

from tests.browser.support import PUBLIC_CYCLE, watch_csp
from tests.browser.test_accessibility import AXE, AXE_OPTIONS, format_violations


def _start_export(page, format_name: str) -> None:
    page.goto(f"/cycles/{PUBLIC_CYCLE}/dossier")
    form = page.locator("main form.export-form")
    form.locator("select[name='format']").select_option(format_name)
    form.locator("select[name='language']").select_option("fr-nl")
    with page.expect_navigation():
        form.locator("button[type='submit']").click()
    expect(page).to_have_url(re.compile(rf"/cycles/{PUBLIC_CYCLE}/dossier/exports/[0-9a-f-]+$"))


def test_export_progress_page_updates_itself_and_is_accessible(new_context: Callable[..., BrowserContext]) -> None:
    page = new_context().new_page()
    csp_violations = watch_csp(page)
    _start_export(page, "pdf")
    expect(page.locator("h1")).to_have_count(1)
    download = page.locator("main a[href$='/download']")
    expect(download).to_be_visible(timeout=30_000)  # the htmx poll swapped the finished status in
    assert re.search(rf"{PUBLIC_CYCLE}_fr-nl_2012-12-07_v1\.pdf", download.inner_text())
    violations = AXE.run(page, options=AXE_OPTIONS).response["violations"]
    assert not violations, format_violations(violations)
    assert not csp_violations


def test_export_finishes_without_javascript(new_context: Callable[..., BrowserContext]) -> None:
    page = new_context(java_script_enabled=False).new_page()
    _start_export(page, "md")
    # The meta refresh reloads the page every 2 s until the file is ready.
    expect(page.locator("main a[href$='/download']")).to_be_visible(timeout=30_000)
    with page.expect_download() as info:
        page.locator("main a[href$='/download']").click()
    assert info.value.suggested_filename.endswith("_v1.md")
