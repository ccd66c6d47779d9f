"""Hostile addresses and bodies are refused in one place, with the friendly page or JSON, never a 500.

tests/security/test_hostile_input.py walks every route with such values; these are the rules themselves.
"""

from __future__ import annotations

import pytest

from tests.factories import add_member, make_cycle, make_recommendation, make_user
from tests.helpers import headings, sign_in
from workspace.accounts.models import Language
from workspace.core.inputs import MAX_NUMBER, bounded_number, nested_deeper_than
from workspace.cycles.models import Phase
from workspace.recommendations.models import Status


async def test_a_nul_byte_in_the_path_gets_the_friendly_page_in_the_readers_language(client, db):
    """PostgreSQL refuses NUL in a string: the cycle page once answered 500 there."""
    cycle = await make_cycle(db)
    person = await make_user(db, language=Language.DUTCH)
    await add_member(db, person, cycle)
    await sign_in(client, person)
    for path in ("/cycles/%00", f"/cycles/{cycle.slug}%00", f"/cycles/{cycle.slug}/axes/p%00/new"):
        response = await client.get(path)
        assert response.status_code == 400, path
        assert headings(response.text) == ["Dit verzoek kon niet worden begrepen"], path
        assert person.display_name in response.text, "the page still shows who is signed in"
    assert (await client.get(f"/cycles/{cycle.slug}")).status_code == 200
    api = await client.get("/api/recommendations/%00/ballot")
    assert api.status_code in (400, 404)
    assert api.json()["status_code"] == api.status_code


async def test_a_nul_byte_in_the_query_is_taken_out_as_from_a_posted_form(client, db):
    """A query string is a GET form: the search box and its filters read what was typed, without the NUL."""
    cycle = await make_cycle(db, phase=Phase.PUBLISHED)
    recommendation = await make_recommendation(db, cycle, status=Status.ADOPTED, finding="Le loyer des jeunes.")
    for query in ("q=lo%00yer", f"q=loyer&cycle={cycle.slug}%00", "q=loyer&axis=p%00&tag=%00"):
        response = await client.get(f"/search?{query}")
        assert response.status_code == 200, query
        assert f"/recommendations/{recommendation.id}" in response.text, query


@pytest.mark.sqlite_only
async def test_an_address_with_a_part_longer_than_any_file_name_is_not_found(client):
    """The static files would take such a name to the file system, which fails with an error, not a 404."""
    response = await client.get("/static/" + "a" * 300 + ".css", headers={"Accept-Language": "fr"})
    assert response.status_code == 404
    assert headings(response.text) == ["Page introuvable"]
    assert (await client.get("/static/app.css")).status_code == 200


def test_numbers_are_read_within_bounds():
    assert bounded_number("12") == 12
    assert bounded_number(" 7 ") == 7
    assert bounded_number(str(MAX_NUMBER)) == MAX_NUMBER
    for raw in ("", "x", "-1", "0", "1.5", str(MAX_NUMBER + 1), "9" * 5_000):
        assert bounded_number(raw) is None, raw
    assert bounded_number("0", minimum=0) == 0


def test_nesting_is_counted_outside_strings_only():
    assert not nested_deeper_than(b'{"a": [1, {"b": 2}]}', 3)
    assert nested_deeper_than(b'{"a": [1, {"b": 2}]}', 2)
    assert not nested_deeper_than(b'{"reason": "[[[[{{{{"}', 1)
    assert not nested_deeper_than(b'{"reason": "a \\" [[[[ \\\\"}', 1)
    assert nested_deeper_than(b'{"reason": "\\\\", "x": [[[]]]}', 3)
    assert nested_deeper_than(b"[" * 100_000 + b"]" * 100_000, 32)
