"""Forgotten passwords: a link by e-mail (in the log without SMTP) that works once."""

from __future__ import annotations

import logging
import re

from tests.factories import make_user
from tests.helpers import post_form, sign_in


async def request_link(client, caplog, email: str) -> str | None:
    with caplog.at_level(logging.WARNING, logger="passerelle.mail"):
        response = await post_form(client, "/password/forgot", {"email": email}, token_from="/password/forgot")
    assert response.status_code == 200
    match = re.search(r"/password/reset/([\w-]+)", caplog.text)
    return match.group(1) if match else None


async def test_a_member_resets_a_forgotten_password(client, db, caplog):
    user = await make_user(db)
    token = await request_link(client, caplog, user.email)
    assert token
    path = f"/password/reset/{token}"
    data = {"password": "a-brand-new-password", "password_confirm": "a-brand-new-password"}
    response = await post_form(client, path, data, token_from=path)
    assert response.status_code == 303
    await sign_in(client, user, password="a-brand-new-password")


async def test_a_reset_link_works_once(client, db, caplog):
    user = await make_user(db)
    token = await request_link(client, caplog, user.email)
    path = f"/password/reset/{token}"
    data = {"password": "a-brand-new-password", "password_confirm": "a-brand-new-password"}
    await post_form(client, path, data, token_from=path)
    assert (await client.get(path)).status_code == 404


async def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, caplog):
    assert await request_link(client, caplog, "nobody@example.org") is None


async def test_a_too_short_new_password_is_refused_by_the_field(client, db, caplog):
    user = await make_user(db)
    token = await request_link(client, caplog, user.email)
    path = f"/password/reset/{token}"
    response = await post_form(client, path, {"password": "short", "password_confirm": "short"}, token_from=path)
    assert response.status_code == 400
    assert 'id="password-error"' in response.text


async def test_a_malformed_address_is_kept_with_a_message(client):
    response = await post_form(client, "/password/forgot", {"email": "not an address"}, token_from="/password/forgot")
    assert response.status_code == 400
    assert 'value="not an address"' in response.text
