"""Every live stream re-checks its reader: once their session has ended (signed out, signed out
everywhere, password reset, deactivated) or an admin flag that let them in is taken away, the stream ends
at the next event instead of going on showing what they may no longer read."""

from __future__ import annotations

import asyncio
import contextlib

import httpx
import pytest
from sqlalchemy import delete, update

from tests.helpers import open_session
from tests.servers import serve
from tests.voting.support import voting_room
from tests.voting.test_colloquium import next_event
from workspace.accounts import services as accounts
from workspace.accounts.models import StoredSession, User
from workspace.app import create_app
from workspace.core.forms import Form
from workspace.settings import Settings

WAIT = 10.0
STREAMS = {
    "/cycles/{slug:str}/colloquium/stream": ("colloquium", "tally"),
    "/recommendations/{recommendation_id:uuid}/discussion/stream": ("recommendation", "comments"),
}
"""Every live stream of the app: the route, the page it feeds, and the first event it sends."""
ENDINGS = ("signed_out", "signed_out_everywhere", "password_reset", "deactivated", "admin_flag_removed")


def test_every_live_stream_is_checked_here(tmp_path) -> None:
    app = create_app(Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'unused.sqlite3'}"))
    streams = {route.path for route in app.routes if route.path.endswith("/stream")}
    assert streams == set(STREAMS), "add the new live stream to STREAMS"


async def _end(db, user: User, session_key: str, ending: str) -> None:
    async with db.transaction() as session:
        if ending == "signed_out":
            await session.execute(delete(StoredSession).where(StoredSession.key == session_key))
        elif ending == "signed_out_everywhere":
            await accounts.sign_out_everywhere(session, user.id, actor_id=user.id)
        elif ending == "password_reset":
            issued = await accounts.request_password_reset(session, Form(values={"email": user.email}))
            assert issued is not None
            await session.flush()
            new = "a new password for the reset"
            await accounts.reset_password(session, issued[1], Form(values={"password": new, "password_confirm": new}))
        elif ending == "deactivated":
            await session.execute(update(User).where(User.id == user.id).values(is_active=False))
        else:
            await session.execute(update(User).where(User.id == user.id).values(is_admin=False))


@pytest.mark.parametrize("ending", ENDINGS)
@pytest.mark.parametrize("stream_route", list(STREAMS))
async def test_a_live_stream_ends_when_its_reader_may_no_longer_read(app, db, settings, stream_route, ending):
    room = await voting_room(db)
    page, first_event = STREAMS[stream_route]
    reader = room.voters["vl"][0]
    if ending == "admin_flag_removed":
        from tests.factories import make_user

        reader = await make_user(db)
        async with db.transaction() as session:
            await session.execute(update(User).where(User.id == reader.id).values(is_admin=True))
    path = (
        f"/cycles/{room.cycle.slug}/colloquium/stream"
        if page == "colloquium"
        else f"/recommendations/{room.recommendation.id}/discussion/stream"
    )
    reader_key = await open_session(db, reader)
    voter_key = await open_session(db, room.voters["fr"][1])
    cookie = settings.session_cookie_name
    with serve(app) as base_url:
        async with (
            httpx.AsyncClient(base_url=base_url, cookies={cookie: reader_key}, timeout=20) as reader_client,
            httpx.AsyncClient(base_url=base_url, cookies={cookie: voter_key}, timeout=20) as voter,
            reader_client.stream("GET", path) as stream,
        ):
            assert stream.status_code == 200
            lines = stream.aiter_lines()
            await next_event(lines, first_event)
            await _end(db, reader, reader_key, ending)
            token = (await voter.get("/api/session")).json()["csrf_token"]
            cast = await voter.put(
                f"/api/recommendations/{room.recommendation.id}/ballot",
                json={"choice": "against", "reason": "Pas ainsi."},
                headers={"x-csrftoken": token},
            )
            assert cast.status_code == 200
            seen: list[str] = []

            async def drain() -> None:
                with contextlib.suppress(httpx.HTTPError):
                    async for line in lines:
                        seen.append(line)

            await asyncio.wait_for(drain(), WAIT)  # the stream ends: no timeout
            assert not [line for line in seen if line.startswith("data:") and line.strip() != "data:"], seen
