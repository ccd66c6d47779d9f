"""The colloquium screen: the facilitator puts a recommendation on it, and each ballot cast in the room
redraws the turnout through server-sent events."""

from __future__ import annotations

import asyncio

import httpx

from tests.factories import make_user
from tests.helpers import open_session, post_form, sign_in
from tests.servers import serve
from tests.voting.support import voting_room

EVENT_WAIT_SECONDS = 10.0


async def next_event(lines, name: str) -> str:
    """The data of the next server-sent event called `name`."""

    async def read() -> str:
        event, data = None, []
        async for line in lines:
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:"):
                data.append(line[5:].removeprefix(" "))
            elif line == "":
                if event == name:
                    return "\n".join(data)
                event, data = None, []
        raise AssertionError("the stream ended")

    return await asyncio.wait_for(read(), EVENT_WAIT_SECONDS)


async def test_the_facilitator_chooses_what_the_screen_shows(client, db):
    room = await voting_room(db)
    await sign_in(client, room.facilitator)
    path = f"/cycles/{room.cycle.slug}/colloquium"
    assert "No recommendation is on the screen yet." in (await client.get(path)).text
    response = await post_form(client, path, {"recommendation_id": str(room.recommendation.id)}, token_from=path)
    assert response.status_code == 303
    screen = await client.get(path)
    assert room.recommendation.title in screen.text
    assert "0 of 5 have voted" in screen.text
    assert 'sse-connect="/cycles/' in screen.text


async def test_members_cannot_change_the_screen(client, db):
    room = await voting_room(db)
    await sign_in(client, room.voters["fr"][0])
    path = f"/cycles/{room.cycle.slug}/colloquium"
    response = await post_form(client, path, {"recommendation_id": str(room.recommendation.id)}, token_from=path)
    assert response.status_code == 404


async def test_each_ballot_redraws_the_screen_through_server_sent_events(app, db, settings):
    room = await voting_room(db)
    async with db.transaction() as session:
        from workspace.cycles.models import Cycle

        cycle = await session.get(Cycle, room.cycle.id)
        cycle.colloquium_recommendation_id = room.recommendation.id
    screen_session = await open_session(db, room.facilitator)
    voter_session = await open_session(db, room.voters["wal"][0])
    cookie = settings.session_cookie_name
    with serve(app) as base_url:
        async with (
            httpx.AsyncClient(base_url=base_url, cookies={cookie: screen_session}, timeout=20) as screen,
            httpx.AsyncClient(base_url=base_url, cookies={cookie: voter_session}, timeout=20) as voter,
            screen.stream("GET", f"/cycles/{room.cycle.slug}/colloquium/stream") as stream,
        ):
            assert stream.headers["content-type"].startswith("text/event-stream")
            lines = stream.aiter_lines()
            assert "0 of 5 have voted" in await next_event(lines, "tally")

            token = (await voter.get("/api/session")).json()["csrf_token"]
            cast = await voter.put(
                f"/api/recommendations/{room.recommendation.id}/ballot",
                json={"choice": "for"},
                headers={"x-csrftoken": token},
            )
            assert cast.status_code == 200
            assert "1 of 5 have voted" in await next_event(lines, "tally")


async def test_people_outside_the_cycle_see_neither_the_screen_nor_its_stream(client, db):
    room = await voting_room(db)
    outsider = await make_user(db)
    await sign_in(client, outsider)
    for path in ("/colloquium", "/colloquium/stream", "/vote", "/voting-rules"):
        response = await client.get(f"/cycles/{room.cycle.slug}{path}")
        assert response.status_code == 404, path
    response = await client.get(f"/recommendations/{room.recommendation.id}/ballot")
    assert response.status_code == 404
