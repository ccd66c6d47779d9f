"""Unknown pages get a friendly 404 in the reader's language; nothing answers a bare 500."""

from __future__ import annotations

import pytest

from tests.helpers import headings

pytestmark = pytest.mark.sqlite_only


async def test_an_unknown_url_gets_a_friendly_404_in_french(client):
    response = await client.get("/nulle-part", headers={"Accept-Language": "fr-BE"})
    assert response.status_code == 404
    assert '<html lang="fr">' in response.text
    assert headings(response.text) == ["Page introuvable"]


async def test_an_unknown_url_gets_a_friendly_404_in_dutch(client):
    response = await client.get("/nergens", headers={"Accept-Language": "nl-BE"})
    assert '<html lang="nl">' in response.text
    assert headings(response.text) == ["Pagina niet gevonden"]


async def test_a_wrong_method_is_not_a_server_error(client):
    response = await client.delete("/login")
    assert response.status_code in (403, 404, 405)
