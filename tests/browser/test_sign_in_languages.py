"""Two demo people sign in through the form and get the site in their own profile language.

Only the cycle title is checked as text: it comes from the demo data, not from the message catalogues
(which are still being translated).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.browser.support import MEMBER_FR, MEMBER_NL, sign_in

CYCLE_TITLES = {
    "fr": "Accès au logement pour les jeunes",
    "nl": "Toegang tot huisvesting voor jongeren",
}


@pytest.mark.parametrize(("email", "lang"), [(MEMBER_FR, "fr"), (MEMBER_NL, "nl")], ids=["member-fr", "member-nl"])
def test_home_page_comes_in_the_profile_language(
    email: str, lang: str, new_context: Callable[..., BrowserContext]
) -> None:
    # Both browsers ask for French (fr-BE): the profile language must win over Accept-Language.
    page = new_context().new_page()

    sign_in(page, email)
    page.goto("/")

    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("h1")).to_have_text(CYCLE_TITLES[lang])
    other = next(title for code, title in CYCLE_TITLES.items() if code != lang)
    expect(page.locator("main")).not_to_contain_text(other)
