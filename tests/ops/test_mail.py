"""Mail against a real SMTP server that is down at first: nothing is dropped, nothing is said to be sent
before it is, the sender is the configured one, and invitations leave in the invitee's language."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from litestar.testing import AsyncTestClient
from sqlalchemy import select, text

from tests.factories import add_member, make_cycle, make_user
from tests.helpers import post_form, sign_in
from tests.ops.support import eventually, jobs_due_now
from tests.servers import free_port
from workspace.accounts.models import Language, MembershipRole
from workspace.app import create_app
from workspace.core.db import Database
from workspace.core.jobs.models import BackgroundJob
from workspace.cycles.models import Invitation
from workspace.settings import Settings, UnsafeSettingsError

SENDER = "Réseau Passerelle <passerelle@reseau-transfrontalier.example>"


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.messages.append(message_from_bytes(envelope.original_content or envelope.content, policy=policy.default))
        return "250 Message accepted"


class LateSmtpServer:
    """A port where no mail server listens until `start()`."""

    def __init__(self) -> None:
        self.port = free_port()
        self.inbox = Inbox()
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()


@pytest.fixture
def late_smtp() -> Iterator[LateSmtpServer]:
    server = LateSmtpServer()
    try:
        yield server
    finally:
        server.stop()


async def mail_tries(db: Database) -> int:
    """How often the waiting mail job was tried."""
    async with db.session(write=False) as session:
        if db.is_sqlite:
            return int(await session.scalar(select(BackgroundJob.attempts).where(BackgroundJob.task == "mail")) or 0)
        return int(await session.scalar(text("SELECT attempts FROM procrastinate_jobs WHERE task_name = 'mail'")) or 0)


async def test_a_reset_mail_waits_out_a_mail_server_that_is_down_and_leaves_from_the_configured_sender(
    database_url, db, settings, late_smtp
):
    user = await make_user(db, email="anke.claes@ocmw-kortrijk.example")
    app = create_app(replace(settings, smtp_url=late_smtp.url, mail_from=SENDER))
    async with AsyncTestClient(app=app) as client:
        client.headers["accept-language"] = "en"
        answer = await post_form(client, "/password/forgot", {"email": user.email}, token_from="/password/forgot")
        assert answer.status_code == 200
        assert "is on its way" in answer.text
        await eventually(lambda: mail_tries(db), within=30)
        assert late_smtp.inbox.messages == []
        late_smtp.start()
        await jobs_due_now(db)
        await eventually(lambda: _arrived(late_smtp.inbox), within=30)
    [mail] = late_smtp.inbox.messages
    assert mail["From"] == SENDER
    assert mail["To"] == user.email
    assert "/password/reset/" in mail.get_content()


async def _arrived(inbox: Inbox) -> bool:
    return bool(inbox.messages)


async def mail_status(db: Database, email: str) -> str:
    async with db.session(write=False) as session:
        return await session.scalar(select(Invitation.mail_status).where(Invitation.email == email)) or ""


async def test_an_invitation_is_mailed_in_the_invitees_language_and_says_when_it_was_really_sent(
    database_url, db, settings, late_smtp
):
    cycle = await make_cycle(db)
    facilitator = await make_user(db, language=Language.ENGLISH)
    await add_member(db, facilitator, cycle, role=MembershipRole.FACILITATOR, group=None)
    app = create_app(replace(settings, smtp_url=late_smtp.url, mail_from=SENDER))
    invitee = "pieter.desmet@gent.example"
    path = f"/cycles/{cycle.slug}/invitations"
    async with AsyncTestClient(app=app) as client:
        await sign_in(client, facilitator)
        made = await post_form(client, path, {"role": "member", "email": invitee, "language": "nl"}, token_from=path)
        assert made.status_code == 303
        made = await client.get(path)
        assert f"{app.state.settings.base_url}/signup/" in made.text  # the link, to send another way too
        assert "on its way to pieter.desmet@gent.example" in made.text
        await eventually(lambda: mail_tries(db), within=30)
        assert await mail_status(db, invitee) == "waiting"
        assert "Sent" not in (await client.get(path)).text
        late_smtp.start()
        await jobs_due_now(db)
        await eventually(lambda: _arrived(late_smtp.inbox), within=30)
        await eventually(lambda: _is_sent(db, invitee), within=10)
    [mail] = late_smtp.inbox.messages
    assert mail["To"] == invitee
    assert mail["Subject"].startswith("Uitnodiging")
    body = mail.get_content()
    assert "/signup/" in body
    assert "uitnodiging" in body.lower()


async def _is_sent(db: Database, email: str) -> bool:
    return await mail_status(db, email) == "sent"


def test_production_refuses_to_start_without_a_mail_server_or_a_sender():
    production = Settings(
        environment="production",
        secret_key="s" * 48,
        secure_cookies=True,
        base_url="https://passerelle.example.org",
        smtp_url="smtp://127.0.0.1:1",
        mail_from=SENDER,
    )
    production.check()
    with pytest.raises(UnsafeSettingsError, match="SMTP_URL"):
        replace(production, smtp_url=None).check()
    with pytest.raises(UnsafeSettingsError, match="MAIL_FROM"):
        replace(production, mail_from="Passerelle <no-reply@passerelle.invalid>").check()
