"""Two people edit the same recommendation in two real browsers: one save merges, one meets a conflict."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.browser.support import CYCLE, FACILITATOR, MEMBER_FR, watch_csp

TITLE = "Un guichet unique transfrontalier pour les jeunes en recherche de logement"


def recommendation_path(page: Page) -> str:
    page.goto(f"/cycles/{CYCLE}/axes/p")
    href = page.get_by_role("link", name=TITLE).get_attribute("href")
    assert href
    return href


def open_editor(page: Page, path: str) -> None:
    page.goto(f"{path}/edit")
    expect(page.locator("h1")).to_be_visible()


def save(page: Page) -> None:
    with page.expect_navigation():
        page.locator("main form button[type='submit']").first.click()


def test_two_browsers_one_merge_then_one_conflict(page_as: Callable[[str], Page]) -> None:
    sophie, julien = page_as(FACILITATOR), page_as(MEMBER_FR)
    path = recommendation_path(julien)
    open_editor(sophie, path)
    open_editor(julien, path)

    sophie.locator("#expected_effect").fill("Moins de non-recours aux aides au logement chez les 18-25 ans, mesuré.")
    save(sophie)
    expect(sophie.locator(".flash--success")).to_be_visible()

    julien.locator("#harmonisation").fill("Un même accueil, quelle que soit l'adresse du jeune, des deux côtés.")
    save(julien)
    expect(julien.locator(".flash--success")).to_contain_text("fusionnées")
    expect(julien.locator("main")).to_contain_text("mesuré")
    expect(julien.locator("main")).to_contain_text("des deux côtés")

    open_editor(sophie, path)
    open_editor(julien, path)
    sophie.locator("#proposal").fill("Ouvrir un guichet commun dans chaque bassin frontalier (version de Sophie).")
    save(sophie)
    julien.locator("#proposal").fill("Ouvrir un guichet commun tenu par les trois services (version de Julien).")
    save(julien)

    expect(julien.locator(".form-errors")).to_be_visible()
    expect(julien.locator("#proposal")).to_have_value(
        "Ouvrir un guichet commun tenu par les trois services (version de Julien)."
    )
    expect(julien.locator(".conflict")).to_contain_text("version de Sophie")


def test_the_preview_shows_the_whole_text_in_place_and_keeps_what_was_typed(page_as: Callable[[str], Page]) -> None:
    julien = page_as(MEMBER_FR)
    violations = watch_csp(julien)
    path = recommendation_path(julien)
    open_editor(julien, path)
    expect(julien.locator(".preview-box--shown")).to_have_count(0)
    julien.locator("#scheme_fr").fill("Le **CLLAJ** accompagne les jeunes.")
    address = julien.url
    julien.get_by_role("button", name="Prévisualiser tout le texte").click()
    expect(julien.locator("#preview strong")).to_have_text("CLLAJ")
    expect(julien.locator("#preview h3")).to_contain_text(["Constat", "Proposition"])
    expect(julien.locator(".preview-box--shown")).to_have_count(1)
    assert julien.url == address
    expect(julien.locator("#scheme_fr")).to_have_value("Le **CLLAJ** accompagne les jeunes.")
    assert not violations
