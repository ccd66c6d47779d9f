"""A form that makes something is made once: a browser sending it again (its answer lost to a dropped
connection or a killed process, a double click, Back and send) is led to what the first sending made."""

from __future__ import annotations

import asyncio
import re

import httpx
from sqlalchemy import func, select

from tests.discussion.support import discussion_room
from tests.discussion.test_comments import comments_of, page_of
from tests.helpers import csrf_token, open_session, sign_in
from tests.servers import serve
from workspace.cycles.models import Meeting

ONCE = re.compile(r'name="_once" value="([^"]+)"')


async def _form_tokens(client, path: str) -> tuple[str, str]:
    page = (await client.get(path)).text
    return await csrf_token(client, path), ONCE.search(page).group(1)


async def test_a_comment_sent_twice_with_the_same_form_is_posted_once(client, db):
    room = await discussion_room(db)
    await sign_in(client, room.member)
    token, once = await _form_tokens(client, page_of(room))
    form = {"body": "Le CPAS de Mouscron reçoit le lundi.", "_once": once, "_csrf_token": token}
    first = await client.post(f"{page_of(room)}/comments", data=form, follow_redirects=False)
    again = await client.post(f"{page_of(room)}/comments", data=form, follow_redirects=False)
    comments = await comments_of(db, room.recommendation)
    assert len(comments) == 1
    assert first.status_code == again.status_code == 303
    assert again.headers["location"] == first.headers["location"] == f"{page_of(room)}#comment-{comments[0].id}"


async def test_with_htmx_a_comment_sent_again_leads_to_the_first_one(client, db):
    room = await discussion_room(db)
    await sign_in(client, room.member)
    token, once = await _form_tokens(client, page_of(room))
    form = {"body": "Réponse envoyée deux fois.", "_once": once}
    headers = {"hx-request": "true", "x-csrftoken": token}
    first = await client.post(f"{page_of(room)}/comments", data=form, headers=headers)
    assert first.status_code == 200
    assert ONCE.search(first.text).group(1) != once  # the fresh form has a fresh token
    again = await client.post(f"{page_of(room)}/comments", data=form, headers=headers)
    assert again.headers["hx-redirect"].startswith(f"{page_of(room)}#comment-")
    assert len(await comments_of(db, room.recommendation)) == 1


async def test_a_refused_comment_corrected_and_sent_with_the_same_form_is_posted(client, db):
    """The refused request's claim on the form is rolled back with everything else it wrote."""
    room = await discussion_room(db)
    await sign_in(client, room.member)
    token, once = await _form_tokens(client, page_of(room))
    refused = await client.post(f"{page_of(room)}/comments", data={"body": "  ", "_once": once, "_csrf_token": token})
    assert refused.status_code == 400
    assert f'name="_once" value="{once}"' in refused.text
    posted = await client.post(
        f"{page_of(room)}/comments",
        data={"body": "Corrigé.", "_once": once, "_csrf_token": token},
        follow_redirects=False,
    )
    assert posted.status_code == 303
    assert [comment.body for comment in await comments_of(db, room.recommendation)] == ["Corrigé."]


async def test_two_sendings_of_one_form_at_the_same_moment_post_one_comment(app, db, settings):
    room = await discussion_room(db)
    cookie = {settings.session_cookie_name: await open_session(db, room.member)}
    with serve(app) as base_url:
        async with httpx.AsyncClient(base_url=base_url, cookies=cookie, timeout=20) as browser:
            token, once = await _form_tokens(browser, page_of(room))
            form = {"body": "Double clic.", "_once": once, "_csrf_token": token}
            answers = await asyncio.gather(
                *(browser.post(f"{page_of(room)}/comments", data=form, follow_redirects=False) for _ in range(4))
            )
    assert [answer.status_code for answer in answers] == [303] * 4
    assert len(await comments_of(db, room.recommendation)) == 1


async def test_a_meeting_recorded_twice_with_the_same_form_is_recorded_once(client, db):
    room = await discussion_room(db)
    await sign_in(client, room.facilitator)
    group_id = room.cycle.groups[0].id
    token, once = await _form_tokens(client, f"/groups/{group_id}/meetings/new")
    form = {"kind": "meeting", "held_on": "2026-03-14", "place": "Tournai", "_once": once, "_csrf_token": token}
    first = await client.post(f"/groups/{group_id}/meetings", data=form, follow_redirects=False)
    again = await client.post(f"/groups/{group_id}/meetings", data=form, follow_redirects=False)
    assert first.headers["location"] == again.headers["location"]
    async with db.session(write=False) as session:
        assert await session.scalar(select(func.count()).select_from(Meeting)) == 1
