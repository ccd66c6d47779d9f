"""Translations side by side; a translation goes out of date when the original changes."""

from __future__ import annotations

import re

import pytest

from tests.factories import add_member, make_cycle, make_recommendation, make_user
from tests.helpers import post_form, sign_in
from tests.recommendations.test_writing import edit_data
from workspace.accounts.models import Language
from workspace.recommendations.models import Status

DUTCH = {
    "title": "Eén grensoverschrijdend loket",
    "finding": "Een jongere klopt aan bij vier deuren.",
    "proposal": "Een gemeenschappelijk loket openen.",
    "institutions": "",
    "expected_effect": "",
    "scheme_fr": "",
    "scheme_wal": "",
    "scheme_vl": "",
    "harmonisation": "",
}


async def test_a_dutch_reader_sees_the_dutch_translation_first(client, db):
    cycle = await make_cycle(db)
    author = await make_user(db)
    reader = await make_user(db, language=Language.DUTCH)
    await add_member(db, author, cycle)
    await add_member(db, reader, cycle)
    recommendation = await make_recommendation(db, cycle, author=author, language="fr")
    await sign_in(client, reader)
    page = await client.get(f"/recommendations/{recommendation.id}")
    assert recommendation.title in page.text
    assert f"/recommendations/{recommendation.id}/translations/nl" in page.text
    path = f"/recommendations/{recommendation.id}/translations/nl"
    assert (await post_form(client, path, DUTCH, token_from=path)).status_code == 303
    page = await client.get(f"/recommendations/{recommendation.id}")
    assert "Eén grensoverschrijdend loket" in page.text
    assert 'lang="nl"' in page.text
    side_by_side = await client.get(f"/recommendations/{recommendation.id}/languages")
    assert recommendation.title in side_by_side.text
    assert "Eén grensoverschrijdend loket" in side_by_side.text


async def test_a_translation_goes_out_of_date_when_the_original_changes(client, db):
    cycle = await make_cycle(db)
    author = await make_user(db, language=Language.DUTCH)
    await add_member(db, author, cycle)
    recommendation = await make_recommendation(db, cycle, author=author, language="fr", status=Status.DRAFT)
    await sign_in(client, author)
    path = f"/recommendations/{recommendation.id}/translations/nl"
    await post_form(client, path, DUTCH, token_from=path)
    languages = await client.get(f"/recommendations/{recommendation.id}/languages")
    assert "badge--withdrawn" not in languages.text
    edit = f"/recommendations/{recommendation.id}/edit"
    await post_form(client, edit, edit_data(recommendation, 1, finding="Texte source modifié."), token_from=edit)
    languages = await client.get(f"/recommendations/{recommendation.id}/languages")
    assert "badge--withdrawn" in languages.text
    page = await client.get(f"/recommendations/{recommendation.id}")
    assert "versie 1" in page.text


async def test_a_translation_without_a_title_keeps_the_text(client, db):
    cycle = await make_cycle(db)
    author = await make_user(db)
    await add_member(db, author, cycle)
    recommendation = await make_recommendation(db, cycle, author=author, language="fr")
    await sign_in(client, author)
    path = f"/recommendations/{recommendation.id}/translations/nl"
    response = await post_form(client, path, {**DUTCH, "title": ""}, token_from=path)
    assert response.status_code == 400
    assert "Een jongere klopt aan bij vier deuren." in response.text


async def test_no_translation_into_the_original_language_or_an_unknown_one(client, db):
    cycle = await make_cycle(db)
    author = await make_user(db)
    await add_member(db, author, cycle)
    recommendation = await make_recommendation(db, cycle, author=author, language="fr")
    await sign_in(client, author)
    for language in ("fr", "de", "xx"):
        assert (await client.get(f"/recommendations/{recommendation.id}/translations/{language}")).status_code == 404


async def test_outsiders_cannot_translate(client, db):
    cycle = await make_cycle(db)
    recommendation = await make_recommendation(db, cycle, language="fr")
    outsider = await make_user(db)
    await sign_in(client, outsider)
    path = f"/recommendations/{recommendation.id}/translations/nl"
    assert (await client.get(path)).status_code == 404
    assert (await post_form(client, path, DUTCH)).status_code == 404


@pytest.mark.parametrize(
    ("language", "named", "cell_note"),
    [
        (
            Language.FRENCH,
            "Modifié depuis dans l’original : Constat, Effet attendu.",
            "Pas à jour : l’original a changé ici",
        ),
        (
            Language.DUTCH,
            "Sindsdien gewijzigd in het origineel: Vaststelling, Verwacht effect.",
            "Verouderd: het origineel is hier gewijzigd",
        ),
    ],
)
async def test_the_languages_page_names_the_fields_changed_since_the_translation(
    client, db, language, named, cell_note
):
    cycle = await make_cycle(db)
    author = await make_user(db, language=language)
    await add_member(db, author, cycle)
    recommendation = await make_recommendation(db, cycle, author=author, language="fr", status=Status.DRAFT)
    await sign_in(client, author)
    path = f"/recommendations/{recommendation.id}/translations/nl"
    await post_form(client, path, DUTCH, token_from=path)
    edit = f"/recommendations/{recommendation.id}/edit"
    changed = edit_data(recommendation, 1, finding="Texte source modifié.", expected_effect="Un effet mesuré.")
    await post_form(client, edit, changed, token_from=edit)

    languages = (await client.get(f"/recommendations/{recommendation.id}/languages")).text
    assert named in languages
    assert languages.count(cell_note) == 2
    stale_cells = re.findall(r'<td lang="nl" class="markdown" aria-describedby="stale-nl-(\w+)">', languages)
    assert stale_cells == ["finding", "expected_effect"]
    translate = (await client.get(path)).text
    assert named in translate


async def test_an_up_to_date_translation_names_no_field(client, db):
    cycle = await make_cycle(db)
    author = await make_user(db)
    await add_member(db, author, cycle)
    recommendation = await make_recommendation(db, cycle, author=author, language="fr", status=Status.DRAFT)
    await sign_in(client, author)
    path = f"/recommendations/{recommendation.id}/translations/nl"
    await post_form(client, path, DUTCH, token_from=path)
    languages = (await client.get(f"/recommendations/{recommendation.id}/languages")).text
    assert "Modifié depuis" not in languages
    assert "stale-note" not in languages
