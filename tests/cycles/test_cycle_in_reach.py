"""The cycle a route's `{slug}` names is resolved before the handler runs; a refusal there must leave
nothing held: the next form anyone sends is saved as usual."""

from __future__ import annotations

import re

import httpx

from tests.security.world import build_world, session_cookie
from tests.servers import serve
from workspace.app import create_app
from workspace.settings import Settings

_TOKEN = re.compile(r'name="_csrf_token" value="([^"]+)"')


async def test_a_form_sent_to_a_cycle_out_of_reach_is_refused_and_holds_nothing(database_url, db) -> None:
    app = create_app(Settings(database_url=database_url))
    cookie = app.state.settings.session_cookie_name
    world = await build_world(db)
    with serve(app) as base_url:
        async with httpx.AsyncClient(base_url=base_url, timeout=30, follow_redirects=False) as http:
            token = _TOKEN.search((await http.get("/login")).text).group(1)
            member = {cookie: await session_cookie(db, world.people["member"])}
            for slug in ("no-such-cycle", "-1", world.params["slug"]):
                answer = await http.post(
                    f"/cycles/{slug}/colloquium",
                    cookies=member,
                    data={"_csrf_token": token},
                    headers={"x-csrftoken": token},
                )
                assert answer.status_code == 404
            facilitator = {cookie: await session_cookie(db, world.people["facilitator"])}
            answer = await http.post(
                f"/cycles/{world.params['slug']}/colloquium",
                cookies=facilitator,
                data={"_csrf_token": token},
                headers={"x-csrftoken": token},
            )
            assert answer.status_code == 303
