"""Forgotten passwords: a link by e-mail (in the log without SMTP) that works once."""

from __future__ import annotations

import asyncio
import logging
import re
import threading
from collections.abc import Iterator
from dataclasses import replace
from email import message_from_bytes

import httpx
import pytest
from aiosmtpd.controller import Controller

from tests.factories import make_user
from tests.helpers import post_form, sign_in
from tests.servers import free_port, serve
from workspace.app import create_app
from workspace.settings import Settings


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


class HeldInbox:
    """A real SMTP server that holds each message until the test lets it through."""

    def __init__(self) -> None:
        self.arrived = threading.Event()
        self.release = threading.Event()
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.arrived.set()
        await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 20)
        self.messages.append(envelope.original_content or envelope.content)
        return "250 Message accepted"


@pytest.fixture
def held_smtp() -> Iterator[tuple[str, HeldInbox]]:
    inbox = HeldInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{controller.port}", inbox
    finally:
        inbox.release.set()
        controller.stop()


async def test_the_answer_leaves_before_the_reset_mail_so_it_does_not_tell_who_has_an_account(
    db, settings: Settings, held_smtp
):
    """The mail server holds the message: had the app sent it before answering, no answer would come."""
    smtp_url, inbox = held_smtp
    user = await make_user(db, email="anke.claes@ocmw.example")
    app = create_app(replace(settings, smtp_url=smtp_url))
    with serve(app) as base_url:
        async with httpx.AsyncClient(base_url=base_url, timeout=5) as http:
            answers = []
            for email in ("nobody-here@ocmw.example", user.email):
                page = await http.get("/password/forgot")
                token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
                answer = await http.post("/password/forgot", data={"email": email, "_csrf_token": token})
                answers.append((answer.status_code, answer.text.replace(email, "…")))
            assert answers[0] == answers[1]
            assert answers[0][0] == 200
            assert not inbox.messages  # answered while the message is still on its way
            inbox.release.set()
            for _ in range(200):
                if inbox.messages:
                    break
                await asyncio.sleep(0.05)
    assert inbox.arrived.is_set()
    assert len(inbox.messages) == 1
    mail = message_from_bytes(inbox.messages[0])
    assert mail["To"] == user.email
    assert "/password/reset/" in mail.get_payload(decode=True).decode()
