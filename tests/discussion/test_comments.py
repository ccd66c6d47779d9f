"""Posting, replying, anchoring, editing with history, deleting, and the pace limit."""

from __future__ import annotations

from sqlalchemy import select

from tests.discussion.support import discussion_room
from tests.factories import make_comment
from tests.helpers import post_form, sign_in
from workspace.discussion.comments import POSTS_PER_MINUTE
from workspace.discussion.models import Comment, CommentEdit


async def comments_of(db, recommendation) -> list[Comment]:
    async with db.session(write=False) as session:
        return list(
            (
                await session.scalars(
                    select(Comment).where(Comment.recommendation_id == recommendation.id).order_by(Comment.created_at)
                )
            ).all()
        )


def page_of(room) -> str:
    return f"/recommendations/{room.recommendation.id}"


async def test_a_member_comments_and_replies_without_javascript(client, db):
    room = await discussion_room(db)
    await sign_in(client, room.member)
    posted = await post_form(
        client,
        f"{page_of(room)}/comments",
        {"body": "Et **côté wallon** ?", "anchor": "proposal"},
        token_from=page_of(room),
    )
    assert posted.status_code == 303
    [comment] = await comments_of(db, room.recommendation)
    assert comment.anchor == "proposal"
    page = await client.get(page_of(room))
    assert "<strong>côté wallon</strong>" in page.text
    assert "About: Proposal" in page.text
    assert "1 comment on this part" in page.text
    await sign_in(client, room.author)
    reply = await post_form(
        client,
        f"{page_of(room)}/comments",
        {"body": "Le Forem le fait déjà.", "parent_id": str(comment.id)},
        token_from=page_of(room),
    )
    assert reply.status_code == 303
    replies = [c for c in await comments_of(db, room.recommendation) if c.parent_id == comment.id]
    assert [r.body for r in replies] == ["Le Forem le fait déjà."]


async def test_posting_with_htmx_returns_a_fresh_form_and_the_new_list(client, db):
    room = await discussion_room(db)
    await sign_in(client, room.member)
    page = await client.get(page_of(room))
    token = page.text.split('name="_csrf_token" value="')[1].split('"')[0]
    response = await client.post(
        f"{page_of(room)}/comments",
        data={"body": "Vu en réunion.", "_csrf_token": token},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert 'id="comment-form"' in response.text
    assert 'hx-swap-oob="true"' in response.text
    assert "Vu en réunion." in response.text


async def test_an_empty_or_huge_comment_comes_back_with_the_text_and_a_message(client, db):
    room = await discussion_room(db)
    await sign_in(client, room.member)
    empty = await post_form(client, f"{page_of(room)}/comments", {"body": "   "}, token_from=page_of(room))
    assert empty.status_code == 400
    assert "This field is required." in empty.text
    huge = await post_form(client, f"{page_of(room)}/comments", {"body": "x" * 10_001}, token_from=page_of(room))
    assert huge.status_code == 400
    assert "too long" in huge.text
    assert "x" * 10_001 in huge.text
    assert await comments_of(db, room.recommendation) == []


async def test_script_in_a_comment_is_never_rendered_as_html(client, db):
    room = await discussion_room(db)
    await sign_in(client, room.member)
    body = "<script>alert(1)</script> <img src=x onerror=alert(2)> [x](javascript:alert(3))"
    await post_form(client, f"{page_of(room)}/comments", {"body": body}, token_from=page_of(room))
    page = await client.get(page_of(room))
    assert "<script>alert(1)" not in page.text
    assert "onerror=alert" not in page.text.replace("&lt;img src=x onerror=alert(2)&gt;", "")
    assert 'href="javascript:' not in page.text


async def test_people_outside_the_cycle_cannot_comment_or_reply_to_foreign_comments(client, db):
    room = await discussion_room(db)
    other_room = await discussion_room(db)
    foreign = await make_comment(db, other_room.recommendation, other_room.member, "Ailleurs.")
    await sign_in(client, room.outsider)
    refused = await post_form(client, f"{page_of(room)}/comments", {"body": "Hello"}, token_from="/")
    assert refused.status_code == 404
    await sign_in(client, room.member)
    cross = await post_form(
        client, f"{page_of(room)}/comments", {"body": "Réponse", "parent_id": str(foreign.id)}, token_from=page_of(room)
    )
    assert cross.status_code == 404
    assert await comments_of(db, room.recommendation) == []


async def test_a_hidden_comment_cannot_be_answered_and_the_reply_is_kept(client, db):
    from datetime import UTC, datetime

    room = await discussion_room(db)
    hidden = await make_comment(
        db, room.recommendation, room.author, "Propos déplacés", hidden_at=datetime.now(UTC), hidden_reason="Hors sujet"
    )
    await sign_in(client, room.member)
    response = await post_form(
        client,
        f"{page_of(room)}/comments",
        {"body": "Ma réponse gardée", "parent_id": str(hidden.id)},
        token_from=page_of(room),
    )
    assert response.status_code == 400
    assert "can no longer be answered" in response.text
    assert "Ma réponse gardée" in response.text


async def test_the_author_edits_with_history_and_deletes_keeping_the_replies(client, db):
    room = await discussion_room(db)
    comment = await make_comment(db, room.recommendation, room.member, "Première version")
    reply = await make_comment(db, room.recommendation, room.author, "Une réponse", parent_id=comment.id)
    await sign_in(client, room.author)
    assert (await client.get(f"/comments/{comment.id}/edit")).status_code == 404
    await sign_in(client, room.member)
    edited = await post_form(
        client, f"/comments/{comment.id}/edit", {"body": "Deuxième version"}, token_from=f"/comments/{comment.id}/edit"
    )
    assert edited.status_code == 303
    history = await client.get(f"/comments/{comment.id}/edit")
    assert "Première version" in history.text
    assert "Earlier versions" in history.text
    deleted = await post_form(client, f"/comments/{comment.id}/delete", {}, token_from=page_of(room))
    assert deleted.status_code == 303
    page = await client.get(page_of(room))
    assert "This comment was deleted by its author." in page.text
    assert "Une réponse" in page.text
    assert "Deuxième version" not in page.text
    async with db.session(write=False) as session:
        assert (await session.scalars(select(CommentEdit).where(CommentEdit.comment_id == comment.id))).all() == []
    assert reply.parent_id == comment.id


async def test_a_flood_of_posts_gets_a_readable_429_and_keeps_the_text(client, db):
    room = await discussion_room(db)
    await sign_in(client, room.member)
    for number in range(POSTS_PER_MINUTE):
        response = await post_form(
            client, f"{page_of(room)}/comments", {"body": f"Message {number}"}, token_from=page_of(room)
        )
        assert response.status_code == 303
    flooded = await post_form(client, f"{page_of(room)}/comments", {"body": "Un de trop"}, token_from=page_of(room))
    assert flooded.status_code == 429
    assert "Wait a moment" in flooded.text
    assert "Un de trop" in flooded.text
    assert len(await comments_of(db, room.recommendation)) == POSTS_PER_MINUTE


async def test_a_locked_discussion_is_closed_to_members_but_not_to_facilitators(client, db):
    room = await discussion_room(db)
    await sign_in(client, room.facilitator)
    locked = await post_form(client, f"{page_of(room)}/lock", {"action": "lock"}, token_from=page_of(room))
    assert locked.status_code == 303
    await sign_in(client, room.member)
    page = await client.get(page_of(room))
    assert "locked this discussion" in page.text
    assert 'id="body"' not in page.text
    refused = await post_form(client, f"{page_of(room)}/comments", {"body": "Encore"}, token_from=page_of(room))
    assert refused.status_code == 409
    assert "locked this discussion" in refused.text
    assert ">Encore</textarea>" in refused.text
    assert await comments_of(db, room.recommendation) == []
    await sign_in(client, room.facilitator)
    allowed = await post_form(client, f"{page_of(room)}/comments", {"body": "Dernier mot"}, token_from=page_of(room))
    assert allowed.status_code == 303
