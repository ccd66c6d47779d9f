"""The inbox: mentions, replies, news of what one wrote or follows, phases; settings; e-mail over SMTP."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from email import message_from_bytes
from email.header import decode_header, make_header

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from tests.discussion.support import discussion_room
from tests.helpers import post_form, sign_in
from tests.servers import free_port
from workspace.accounts.models import Language, User
from workspace.app import create_app
from workspace.discussion.models import Notification
from workspace.settings import Settings


class Inbox:
    """A real SMTP server on loopback that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.original_content or envelope.content)
        return "250 Message accepted"


@pytest.fixture
def smtp_server() -> Iterator[tuple[str, Inbox]]:
    handler = Inbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}", handler
    finally:
        controller.stop()


async def kinds_for(db, user) -> list[str]:
    async with db.session(write=False) as session:
        return list((await session.scalars(select(Notification.kind).where(Notification.user_id == user.id))).all())


async def test_a_mention_reaches_the_inbox_and_the_smtp_server_in_the_recipients_language(
    db, settings: Settings, smtp_server
):
    from litestar.testing import AsyncTestClient

    smtp_url, received = smtp_server
    app = create_app(Settings(**{**settings.__dict__, "smtp_url": smtp_url}))
    room = await discussion_room(db)
    async with db.transaction() as session:
        await session.execute(update(User).where(User.id == room.facilitator.id).values(language=Language.DUTCH))
    async with AsyncTestClient(app) as client:
        await sign_in(client, room.facilitator)
        saved = await post_form(client, "/account/notifications", {"inbox": "mention", "email": "mention"},
                                token_from="/account/notifications")  # fmt: skip
        assert saved.status_code == 303
        await sign_in(client, room.member)
        page = f"/recommendations/{room.recommendation.id}"
        await post_form(client, f"{page}/comments", {"body": "Qu’en pense @Fanny Facilitatrice ?"}, token_from=page)
        for _ in range(100):
            if received.messages:
                break
            await asyncio.sleep(0.05)
        await sign_in(client, room.facilitator)
        inbox = await client.get("/inbox")
        assert "Marc Membre" in inbox.text
        assert '<span class="badge badge--count">1' in inbox.text
    assert await kinds_for(db, room.facilitator) == ["mention"]
    [raw] = received.messages
    mail = message_from_bytes(raw)
    assert mail["To"] == room.facilitator.email
    subject = str(make_header(decode_header(mail["Subject"])))
    assert "Marc Membre" in subject
    assert "vermeldde" in subject


async def test_authors_hear_of_comments_and_replies_reach_the_person_answered(client, db):
    room = await discussion_room(db)
    page = f"/recommendations/{room.recommendation.id}"
    await sign_in(client, room.member)
    await post_form(client, f"{page}/comments", {"body": "Première remarque"}, token_from=page)
    assert await kinds_for(db, room.author) == ["comment"]
    async with db.session(write=False) as session:
        first = await session.scalar(select(Notification).where(Notification.user_id == room.author.id))
    assert first is not None
    await sign_in(client, room.author)
    from workspace.discussion.models import Comment

    async with db.session(write=False) as session:
        comment_id = await session.scalar(select(Comment.id))
    await post_form(client, f"{page}/comments", {"body": "Merci !", "parent_id": str(comment_id)}, token_from=page)
    assert await kinds_for(db, room.member) == ["reply"]
    assert await kinds_for(db, room.author) == ["comment"], "nobody is told of their own comment"
    read = await post_form(client, "/inbox/read", {}, token_from="/inbox")
    assert read.status_code == 303
    async with db.session(write=False) as session:
        unread = (
            await session.scalars(
                select(Notification).where(Notification.user_id == room.author.id, Notification.read_at.is_(None))
            )
        ).all()
    assert unread == []


async def test_muted_kinds_stay_out_of_the_inbox(client, db):
    room = await discussion_room(db)
    await sign_in(client, room.author)
    await post_form(client, "/account/notifications", {"inbox": "mention"}, token_from="/account/notifications")
    await sign_in(client, room.member)
    page = f"/recommendations/{room.recommendation.id}"
    await post_form(client, f"{page}/comments", {"body": "Une remarque"}, token_from=page)
    assert await kinds_for(db, room.author) == []


async def test_opening_the_vote_reaches_every_member(client, db):
    from workspace.cycles.models import Phase

    room = await discussion_room(db, phase=Phase.DISCUSSION)
    await sign_in(client, room.facilitator)
    moved = await post_form(client, f"/cycles/{room.cycle.slug}/phase", {"phase": "voting"},
                            token_from=f"/cycles/{room.cycle.slug}")  # fmt: skip
    assert moved.status_code == 303
    assert await kinds_for(db, room.member) == ["vote"]
    assert await kinds_for(db, room.facilitator) == []
    await sign_in(client, room.member)
    inbox = await client.get("/inbox")
    assert "The vote is open" in inbox.text


async def test_nobody_outside_the_cycle_hears_of_a_comment(client, db):
    from tests.discussion.support import discussion_room as room_factory
    from workspace.discussion.models import Follow

    room = await room_factory(db)
    async with db.transaction() as session:
        session.add(Follow(user_id=room.outsider.id, recommendation_id=room.recommendation.id))
    await sign_in(client, room.member)
    page = f"/recommendations/{room.recommendation.id}"
    await post_form(client, f"{page}/comments", {"body": "Bonjour @Olivier Outsider"}, token_from=page)
    assert await kinds_for(db, room.outsider) == []
    assert await kinds_for(db, room.author) == ["comment"]


def test_a_mention_names_a_whole_person():
    from uuid import uuid4

    from workspace.discussion.notifications import mentioned

    ann, ann_peeters = User(id=uuid4(), display_name="Ann"), User(id=uuid4(), display_name="Ann Peeters")
    assert mentioned("Merci @Ann Peeters !", [ann, ann_peeters]) == {ann_peeters.id}
    assert mentioned("Et @ann, qu’en penses-tu ?", [ann, ann_peeters]) == {ann.id}
    assert mentioned("ann@example.org", [ann]) == set()


async def test_a_report_reaches_the_facilitators_inbox_and_e_mail_but_no_member(db, settings: Settings, smtp_server):
    from litestar.testing import AsyncTestClient

    from tests.factories import make_comment

    smtp_url, received = smtp_server
    app = create_app(Settings(**{**settings.__dict__, "smtp_url": smtp_url}))
    room = await discussion_room(db)
    comment = await make_comment(db, room.recommendation, room.author, "Le maire de X est incompétent.")
    async with db.transaction() as session:
        await session.execute(update(User).where(User.id == room.facilitator.id).values(language=Language.FRENCH))
    async with AsyncTestClient(app) as client:
        await sign_in(client, room.facilitator)
        saved = await post_form(client, "/account/notifications", {"inbox": "report", "email": "report"},
                                token_from="/account/notifications")  # fmt: skip
        assert saved.status_code == 303
        await sign_in(client, room.member)
        page = f"/recommendations/{room.recommendation.id}"
        reported = await post_form(client, f"/comments/{comment.id}/report", {"reason": "Attaque personnelle"},
                                   token_from=page)  # fmt: skip
        assert reported.status_code == 303
        for _ in range(100):
            if received.messages:
                break
            await asyncio.sleep(0.05)
        await sign_in(client, room.facilitator)
        inbox = await client.get("/inbox")
        assert "Marc Membre a signalé un commentaire sur" in inbox.text
        async with db.session(write=False) as session:
            notice = await session.scalar(select(Notification).where(Notification.user_id == room.facilitator.id))
        assert notice is not None
        opened = await post_form(client, f"/inbox/{notice.id}/open", {}, token_from="/inbox")
        assert opened.headers["location"] == f"/cycles/{room.cycle.slug}/moderation"
        cycle_page = await client.get(page)
        assert "1 signalement ouvert" in cycle_page.text, "the count shows in the cycle's breadcrumbs"
        await sign_in(client, room.member)
        assert "signalement ouvert" not in (await client.get(page)).text
        assert "open report" not in (await client.get(page)).text
    assert await kinds_for(db, room.facilitator) == ["report"]
    for person in (room.member, room.author, room.outsider):
        assert await kinds_for(db, person) == []
    [raw] = received.messages
    mail = message_from_bytes(raw)
    assert mail["To"] == room.facilitator.email
    assert "signalé" in str(make_header(decode_header(mail["Subject"])))


async def test_a_facilitator_who_mutes_reports_is_not_told(client, db):
    room = await discussion_room(db)
    await sign_in(client, room.facilitator)
    await post_form(client, "/account/notifications", {"inbox": "mention"}, token_from="/account/notifications")
    await sign_in(client, room.member)
    page = f"/recommendations/{room.recommendation.id}"
    reported = await post_form(client, f"{page}/report", {"reason": "Doublon"}, token_from=page)
    assert reported.status_code == 303
    assert await kinds_for(db, room.facilitator) == []
