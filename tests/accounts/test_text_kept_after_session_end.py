"""A form sent after the session ended (signed out in another tab, expired, signed out everywhere) is
not lost: the person is sent to sign in, then shown what they wrote, ready to be sent again."""

from __future__ import annotations

from sqlalchemy import func, select, update

from tests.discussion.support import discussion_room
from tests.factories import PASSWORD
from tests.helpers import csrf_token, sign_in
from workspace.accounts.models import User
from workspace.discussion.models import Comment

LONG_COMMENT = "Côté wallon, le CPAS reçoit sans rendez-vous le mardi.\n\nCôté français, il faut appeler le CCAS."


async def _comments(db, recommendation_id) -> int:
    async with db.session(write=False) as session:
        return await session.scalar(select(func.count()).where(Comment.recommendation_id == recommendation_id))


async def _sign_out_elsewhere(client, path: str) -> str:
    """Take the page's CSRF token, then sign out as another tab of the same browser would."""
    token = await csrf_token(client, path)
    await client.post("/logout", data={"_csrf_token": token})
    return token


async def test_a_comment_sent_after_signing_out_in_another_tab_is_kept_and_sent_after_signing_in(client, db):
    room = await discussion_room(db)
    await sign_in(client, room.member)
    page = f"/recommendations/{room.recommendation.id}"
    token = await _sign_out_elsewhere(client, page)

    sent = await client.post(
        f"{page}/comments",
        data={"body": LONG_COMMENT, "anchor": "", "_csrf_token": token},
        headers={"referer": f"http://testserver.local{page}"},
        follow_redirects=False,
    )
    assert sent.status_code == 302
    assert sent.headers["location"] == "/login?next=/kept"
    assert await _comments(db, room.recommendation.id) == 0
    login = await client.get(sent.headers["location"])
    assert "Votre session avait pris fin : rien n’a été envoyé." in login.text  # signed out: the default language

    token = await csrf_token(client, "/login")
    signed_in = await client.post(
        "/login",
        data={"email": room.member.email, "password": PASSWORD, "next": "/kept", "_csrf_token": token},
        follow_redirects=False,
    )
    assert signed_in.headers["location"] == "/kept"
    kept = await client.get("/kept")
    assert kept.status_code == 200
    assert "Côté français, il faut appeler le CCAS." in kept.text
    assert f'action="{page}/comments"' in kept.text
    assert f'href="{page}"' in kept.text

    token = await csrf_token(client, "/kept")
    again = await client.post(
        f"{page}/comments", data={"body": LONG_COMMENT, "anchor": "", "_csrf_token": token}, follow_redirects=False
    )
    assert again.status_code == 303
    assert await _comments(db, room.recommendation.id) == 1
    assert (await client.get("/kept", follow_redirects=False)).headers["location"] == "/"


async def test_with_javascript_the_page_is_sent_to_sign_in_instead_of_doing_nothing(client, db):
    room = await discussion_room(db)
    await sign_in(client, room.member)
    page = f"/recommendations/{room.recommendation.id}"
    token = await _sign_out_elsewhere(client, page)
    sent = await client.post(
        f"{page}/comments",
        data={"body": LONG_COMMENT},
        headers={"hx-request": "true", "x-csrftoken": token},
        follow_redirects=False,
    )
    assert sent.status_code == 401
    assert sent.headers["hx-redirect"] == "/login?next=/kept"


async def test_a_session_signed_out_everywhere_keeps_the_text_for_its_owner_only(client, db):
    room = await discussion_room(db)
    await sign_in(client, room.member)
    page = f"/recommendations/{room.recommendation.id}"
    token = await csrf_token(client, page)
    async with db.transaction() as session:
        await session.execute(
            update(User).where(User.id == room.member.id).values(session_epoch=User.session_epoch + 1)
        )
    sent = await client.post(
        f"{page}/comments", data={"body": LONG_COMMENT, "_csrf_token": token}, follow_redirects=False
    )
    assert sent.headers["location"] == "/login?next=/kept"

    await sign_in(client, room.author)  # someone else signs in on the same browser
    kept = await client.get("/kept", follow_redirects=False)
    assert kept.status_code == 303
    assert LONG_COMMENT.splitlines()[0] not in (await client.get("/")).text


async def test_passwords_are_never_kept_and_a_kept_text_can_be_discarded(client, db):
    room = await discussion_room(db)
    await sign_in(client, room.member)
    page = f"/recommendations/{room.recommendation.id}"
    token = await _sign_out_elsewhere(client, page)
    await client.post(
        "/profile", data={"display_name": "Marc M.", "password": "a secret kept nowhere", "_csrf_token": token}
    )
    await sign_in(client, room.member)
    kept = await client.get("/kept")
    assert "Marc M." in kept.text
    assert "a secret kept nowhere" not in kept.text

    token = await csrf_token(client, "/kept")
    discarded = await client.post("/kept/discard", data={"_csrf_token": token}, follow_redirects=False)
    assert discarded.status_code == 303
    assert (await client.get("/kept", follow_redirects=False)).headers["location"] == "/"


async def test_an_empty_form_sent_after_the_session_ended_goes_to_sign_in_and_back(client, db):
    room = await discussion_room(db)
    await sign_in(client, room.member)
    page = f"/recommendations/{room.recommendation.id}"
    token = await _sign_out_elsewhere(client, page)
    sent = await client.post(
        f"{page}/follow",
        data={"_csrf_token": token},
        headers={"referer": f"http://testserver.local{page}"},
        follow_redirects=False,
    )
    assert sent.status_code == 302
    assert sent.headers["location"] == f"/login?next={page}"
