"""Every route of the app, for every role, answers what this table says.

One row per route and method, as `app.routes` names them; one column per role (see world.py for who
they are: anonymous, a member of the cycle's other working group, a member of the recommendation's
group, its co-author, the facilitator, an authority reviewer, an admin). Unsafe requests carry a valid
CSRF token and an empty form (or `{}` for the JSON API), or the few fields FORMS gives where an empty
form would be refused before the handler looks at who is asking: the matrix checks who gets in, not the
forms. Each unsafe request meets a world of its own, so that one accepted change does not alter what the
next row sees.

A route missing from the table fails `test_every_route_is_in_the_matrix`, which prints the row to add.
To see what every role gets now: `PASSERELLE_MATRIX_PRINT=1 pytest tests/security -k sqlite -s`.

Reading the codes: 200 a page; 302 anonymous sent to sign in (a page asked for, or a form sent: what it
held is kept for after signing in); 303 done, then redirected; 400 the empty form was refused (so the
person was let in); 401 an anonymous request to the JSON API; 403 signed-in person not
allowed (only where existence is not secret); 404 out of reach or unknown; 405 method not allowed;
409 not possible in the cycle's phase (drafting).
"""

from __future__ import annotations

import os
import re
from typing import Any

import httpx
import pytest
from litestar import Litestar, get

from tests.security.world import ROLES, build_world, fill, session_cookie
from tests.servers import serve
from workspace.app import create_app
from workspace.settings import Settings

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}

# fmt: off
MATRIX: dict[str, tuple[int, int, int, int, int, int, int]] = {
    # "METHOD path (as app.routes names it)":                                                     (anon other member coauth facil autho admin)
    "GET /":                                                                                      (200, 200, 200, 200, 200, 200, 200),
    "GET /account/notifications":                                                                 (302, 200, 200, 200, 200, 200, 200),
    "GET /health":                                                                                (200, 200, 200, 200, 200, 200, 200),
    "GET /metrics":                                                                               (404, 404, 404, 404, 404, 404, 404),
    "GET /ready":                                                                                 (200, 200, 200, 200, 200, 200, 200),
    "POST /account/notifications":                                                                (302, 303, 303, 303, 303, 303, 303),
    "GET /admin":                                                                                 (302, 404, 404, 404, 404, 404, 200),
    "POST /admin/cycles":                                                                         (302, 404, 404, 404, 404, 404, 400),
    "GET /admin/users":                                                                           (302, 404, 404, 404, 404, 404, 200),
    "GET /admin/users/{user_id:uuid}":                                                            (302, 404, 404, 404, 404, 404, 200),
    "POST /admin/users/{user_id:uuid}/data":                                                      (302, 404, 404, 404, 404, 404, 200),
    "POST /admin/users/{user_id:uuid}/delete":                                                    (302, 404, 404, 404, 404, 404, 400),
    "POST /admin/users/{user_id:uuid}/sessions/revoke":                                           (302, 404, 404, 404, 404, 404, 303),
    "GET /api/recommendations/{recommendation_id:uuid}/ballot":                                   (401, 200, 200, 200, 200, 200, 200),
    "PUT /api/recommendations/{recommendation_id:uuid}/ballot":                                   (401, 409, 409, 409, 409, 409, 409),
    "GET /api/schema":                                                                            (200, 200, 200, 200, 200, 200, 200),
    "GET /api/schema/openapi.json":                                                               (200, 200, 200, 200, 200, 200, 200),
    "GET /api/schema/{path:str}":                                                                 (404, 404, 404, 404, 404, 404, 404),
    "GET /api/session":                                                                           (401, 200, 200, 200, 200, 200, 200),
    "POST /comments/{comment_id:uuid}/delete":                                                    (302, 404, 303, 404, 404, 404, 404),
    "GET /comments/{comment_id:uuid}/edit":                                                       (302, 404, 200, 404, 404, 404, 404),
    "POST /comments/{comment_id:uuid}/edit":                                                      (302, 404, 400, 404, 404, 404, 404),
    "GET /comments/{comment_id:uuid}/hide":                                                       (302, 404, 404, 404, 200, 404, 200),
    "POST /comments/{comment_id:uuid}/hide":                                                      (302, 404, 404, 404, 400, 404, 400),
    "POST /comments/{comment_id:uuid}/report":                                                    (302, 400, 400, 400, 400, 400, 400),
    "POST /comments/{comment_id:uuid}/restore":                                                   (302, 404, 404, 404, 404, 404, 404),
    "GET /cycles/{slug:str}":                                                                     (404, 200, 200, 200, 200, 200, 200),
    "GET /cycles/{slug:str}/answers":                                                             (302, 404, 404, 404, 404, 404, 404),
    "POST /cycles/{slug:str}/answers":                                                            (302, 404, 404, 404, 404, 404, 404),
    "GET /cycles/{slug:str}/answers/{recommendation_id:uuid}":                                    (302, 404, 404, 404, 404, 404, 404),
    "POST /cycles/{slug:str}/answers/{recommendation_id:uuid}":                                   (302, 404, 404, 404, 404, 404, 404),
    "GET /cycles/{slug:str}/audit":                                                               (302, 404, 404, 404, 200, 404, 200),
    "GET /cycles/{slug:str}/axes/{code:str}":                                                     (404, 200, 200, 200, 200, 200, 200),
    "GET /cycles/{slug:str}/axes/{code:str}/new":                                                 (302, 200, 200, 200, 200, 404, 200),
    "POST /cycles/{slug:str}/axes/{code:str}/new":                                                (302, 400, 400, 400, 400, 404, 400),
    "GET /cycles/{slug:str}/axes":                                                                (302, 404, 404, 404, 200, 404, 200),
    "POST /cycles/{slug:str}/axes":                                                               (302, 404, 404, 404, 400, 404, 400),
    "POST /cycles/{slug:str}/axes/{code:str}/edit":                                               (302, 404, 404, 404, 400, 404, 400),
    "POST /cycles/{slug:str}/phase/end":                                                          (302, 404, 404, 404, 303, 404, 303),
    "GET /cycles/{slug:str}/working-groups":                                                      (302, 404, 404, 404, 200, 404, 200),
    "POST /cycles/{slug:str}/working-groups":                                                     (302, 404, 404, 404, 400, 404, 400),
    "POST /cycles/{slug:str}/working-groups/members/{membership_id:uuid}":                        (302, 404, 404, 404, 303, 404, 303),
    "POST /cycles/{slug:str}/working-groups/{group_id:uuid}":                                     (302, 404, 404, 404, 400, 404, 400),
    "POST /cycles/{slug:str}/working-groups/{group_id:uuid}/archive":                             (302, 404, 404, 404, 303, 404, 303),
    "POST /cycles/{slug:str}/working-groups/{group_id:uuid}/restore":                             (302, 404, 404, 404, 303, 404, 303),
    "GET /cycles/{slug:str}/carry-over":                                                          (302, 404, 404, 404, 404, 404, 404),
    "POST /cycles/{slug:str}/carry-over":                                                         (302, 404, 404, 404, 404, 404, 404),
    "GET /cycles/{slug:str}/colloquium":                                                          (302, 200, 200, 200, 200, 200, 200),
    "POST /cycles/{slug:str}/colloquium":                                                         (302, 404, 404, 404, 303, 404, 303),
    "GET /cycles/{slug:str}/colloquium/stream":                                                   (302, 200, 200, 200, 200, 200, 200),
    "GET /cycles/{slug:str}/dossier":                                                             (404, 404, 404, 404, 404, 404, 404),
    "GET /cycles/{slug:str}/dossier/consolidation":                                               (302, 404, 404, 404, 404, 404, 404),
    "POST /cycles/{slug:str}/dossier/exports":                                                    (404, 404, 404, 404, 404, 404, 404),
    "GET /cycles/{slug:str}/dossier/exports/{export_id:uuid}":                                    (404, 404, 404, 404, 404, 404, 404),
    "GET /cycles/{slug:str}/dossier/exports/{export_id:uuid}/download":                           (404, 404, 404, 404, 404, 404, 404),
    "POST /cycles/{slug:str}/dossier/introductions":                                              (302, 404, 404, 404, 404, 404, 404),
    "POST /cycles/{slug:str}/dossier/move":                                                       (302, 404, 404, 404, 404, 404, 404),
    "GET /cycles/{slug:str}/dossier/preview":                                                     (302, 404, 404, 404, 404, 404, 404),
    "POST /cycles/{slug:str}/dossier/publish":                                                    (302, 404, 404, 404, 404, 404, 404),
    "POST /cycles/{slug:str}/dossier/reasons":                                                    (302, 404, 404, 404, 404, 404, 404),
    "GET /cycles/{slug:str}/dossier/versions/{number:int}":                                       (404, 404, 404, 404, 404, 404, 404),
    "GET /cycles/{slug:str}/follow-up":                                                           (404, 404, 404, 404, 404, 404, 404),
    "GET /cycles/{slug:str}/follow-up.csv":                                                       (404, 404, 404, 404, 404, 404, 404),
    "GET /cycles/{slug:str}/imports":                                                             (302, 404, 404, 404, 200, 404, 200),
    "POST /cycles/{slug:str}/imports":                                                            (302, 404, 404, 404, 400, 404, 400),
    "GET /cycles/{slug:str}/imports/{document_id:uuid}":                                          (302, 404, 404, 404, 200, 404, 200),
    "POST /cycles/{slug:str}/imports/{document_id:uuid}":                                         (302, 404, 404, 404, 303, 404, 303),
    "GET /cycles/{slug:str}/invitations":                                                         (302, 404, 404, 404, 200, 404, 200),
    "POST /cycles/{slug:str}/invitations":                                                        (302, 404, 404, 404, 400, 404, 400),
    "POST /cycles/{slug:str}/members/{member_id:uuid}/suspension":                                (302, 404, 404, 404, 400, 404, 400),
    "GET /cycles/{slug:str}/moderation":                                                          (302, 404, 404, 404, 200, 404, 200),
    "POST /cycles/{slug:str}/phase":                                                              (302, 404, 404, 404, 303, 404, 303),
    "POST /cycles/{slug:str}/reports/{report_id:uuid}/dismiss":                                   (302, 404, 404, 404, 303, 404, 303),
    "GET /cycles/{slug:str}/vote":                                                                (404, 200, 200, 200, 200, 200, 200),
    "GET /cycles/{slug:str}/voting-rules":                                                        (302, 200, 200, 200, 200, 200, 200),
    "POST /cycles/{slug:str}/voting-rules":                                                       (302, 404, 404, 404, 400, 404, 400),
    "GET /follow-up":                                                                             (200, 200, 200, 200, 200, 200, 200),
    "GET /glossary":                                                                              (200, 200, 200, 200, 200, 200, 200),
    "GET /glossary/new":                                                                          (302, 404, 404, 404, 200, 404, 200),
    "POST /glossary/new":                                                                         (302, 404, 404, 404, 400, 404, 400),
    "POST /glossary/{term_id:uuid}/delete":                                                       (302, 404, 404, 404, 303, 404, 303),
    "GET /glossary/{term_id:uuid}/edit":                                                          (302, 404, 404, 404, 200, 404, 200),
    "POST /glossary/{term_id:uuid}/edit":                                                         (302, 404, 404, 404, 400, 404, 400),
    "GET /groups/{group_id:uuid}":                                                                (302, 200, 200, 200, 200, 200, 200),
    "GET /groups/{group_id:uuid}/meetings":                                                       (302, 200, 200, 200, 200, 200, 200),
    "POST /groups/{group_id:uuid}/meetings":                                                      (302, 404, 400, 400, 400, 404, 400),
    "GET /groups/{group_id:uuid}/meetings/new":                                                   (302, 404, 200, 200, 200, 404, 200),
    "GET /inbox":                                                                                 (302, 200, 200, 200, 200, 200, 200),
    "POST /inbox/read":                                                                           (302, 303, 303, 303, 303, 303, 303),
    "POST /inbox/{notification_id:uuid}/open":                                                    (302, 303, 303, 303, 303, 303, 303),
    "POST /invitations/{token:str}/accept":                                                       (302, 404, 404, 404, 404, 404, 404),
    "GET /kept":                                                                                  (302, 303, 303, 303, 303, 303, 303),
    "POST /kept/discard":                                                                         (302, 303, 303, 303, 303, 303, 303),
    "POST /language":                                                                             (303, 303, 303, 303, 303, 303, 303),
    "GET /login":                                                                                 (200, 302, 302, 302, 302, 302, 302),
    "POST /login":                                                                                (400, 400, 400, 400, 400, 400, 400),
    "GET /login/oidc/{key:str}":                                                                  (404, 404, 404, 404, 404, 404, 404),
    "GET /login/oidc/{key:str}/callback":                                                         (404, 404, 404, 404, 404, 404, 404),
    "POST /logout":                                                                               (303, 303, 303, 303, 303, 303, 303),
    "GET /meetings/{meeting_id:uuid}":                                                            (302, 200, 200, 200, 200, 200, 200),
    "GET /password/forgot":                                                                       (200, 200, 200, 200, 200, 200, 200),
    "POST /password/forgot":                                                                      (400, 400, 400, 400, 400, 400, 400),
    "GET /password/reset/{token:str}":                                                            (404, 404, 404, 404, 404, 404, 404),
    "POST /password/reset/{token:str}":                                                           (404, 404, 404, 404, 404, 404, 404),
    "GET /profile":                                                                               (302, 200, 200, 200, 200, 200, 200),
    "POST /profile":                                                                              (302, 400, 400, 400, 400, 400, 400),
    "POST /profile/data":                                                                         (302, 200, 200, 200, 200, 200, 200),
    "POST /profile/delete":                                                                       (302, 400, 400, 400, 400, 400, 400),
    "GET /profile/privacy":                                                                       (302, 200, 200, 200, 200, 200, 200),
    "POST /profile/identities/{key:str}":                                                         (302, 404, 404, 404, 404, 404, 404),
    "POST /profile/identities/{identity_id:uuid}/remove":                                         (302, 404, 303, 404, 404, 404, 404),
    "POST /recommendations/preview":                                                              (302, 200, 200, 200, 200, 200, 200),
    "GET /recommendations/{recommendation_id:uuid}":                                              (404, 200, 200, 200, 200, 200, 200),
    "GET /recommendations/{recommendation_id:uuid}/amendments/new":                               (302, 200, 200, 404, 200, 404, 200),
    "POST /recommendations/{recommendation_id:uuid}/amendments/new":                              (302, 400, 400, 404, 400, 404, 400),
    "GET /recommendations/{recommendation_id:uuid}/amendments/{amendment_id:uuid}":               (404, 200, 200, 200, 200, 200, 200),
    "POST /recommendations/{recommendation_id:uuid}/amendments/{amendment_id:uuid}/accept":       (302, 404, 404, 303, 303, 404, 303),
    "POST /recommendations/{recommendation_id:uuid}/amendments/{amendment_id:uuid}/decline":      (302, 404, 404, 400, 400, 404, 400),
    "GET /recommendations/{recommendation_id:uuid}/ballot":                                       (302, 200, 200, 200, 200, 200, 200),
    "POST /recommendations/{recommendation_id:uuid}/ballot":                                      (302, 303, 303, 303, 303, 303, 303),
    "POST /recommendations/{recommendation_id:uuid}/coauthors":                                   (302, 404, 404, 404, 303, 404, 303),
    "POST /recommendations/{recommendation_id:uuid}/coauthors/{user_id:uuid}/remove":             (302, 404, 404, 303, 303, 404, 303),
    "POST /recommendations/{recommendation_id:uuid}/comments":                                    (302, 400, 400, 400, 400, 400, 400),
    "GET /recommendations/{recommendation_id:uuid}/compare":                                      (404, 200, 200, 200, 200, 200, 200),
    "GET /recommendations/{recommendation_id:uuid}/discussion/stream":                            (404, 200, 200, 200, 200, 200, 200),
    "GET /recommendations/{recommendation_id:uuid}/edit":                                         (302, 404, 404, 200, 200, 404, 200),
    "POST /recommendations/{recommendation_id:uuid}/edit":                                        (302, 404, 404, 400, 400, 404, 400),
    "POST /recommendations/{recommendation_id:uuid}/follow":                                      (302, 303, 303, 303, 303, 303, 303),
    "GET /recommendations/{recommendation_id:uuid}/history":                                      (404, 200, 200, 200, 200, 200, 200),
    "GET /recommendations/{recommendation_id:uuid}/languages":                                    (404, 200, 200, 200, 200, 200, 200),
    "POST /recommendations/{recommendation_id:uuid}/lock":                                        (302, 404, 404, 404, 303, 404, 303),
    "GET /recommendations/{recommendation_id:uuid}/merge":                                        (302, 404, 404, 404, 200, 404, 200),
    "POST /recommendations/{recommendation_id:uuid}/merge":                                       (302, 404, 404, 404, 400, 404, 400),
    "POST /recommendations/{recommendation_id:uuid}/privacy":                                     (302, 404, 404, 303, 303, 404, 303),
    "POST /recommendations/{recommendation_id:uuid}/report":                                      (302, 400, 400, 400, 400, 400, 400),
    "POST /recommendations/{recommendation_id:uuid}/revisions/{number:int}/restore":              (302, 404, 404, 303, 303, 404, 303),
    "POST /recommendations/{recommendation_id:uuid}/status":                                      (302, 404, 404, 303, 303, 404, 303),
    "GET /recommendations/{recommendation_id:uuid}/translations/{language:str}":                  (302, 200, 200, 200, 200, 200, 200),
    "POST /recommendations/{recommendation_id:uuid}/translations/{language:str}":                 (302, 400, 400, 400, 400, 400, 400),
    "GET /search":                                                                                (200, 200, 200, 200, 200, 200, 200),
    "POST /sessions/revoke":                                                                      (302, 303, 303, 303, 303, 303, 303),
    "GET /signup/{token:str}":                                                                    (404, 404, 404, 404, 404, 404, 404),
    "POST /signup/{token:str}":                                                                   (404, 404, 404, 404, 404, 404, 404),
    "GET /static/{file_path:path}":                                                               (200, 200, 200, 200, 200, 200, 200),
    "GET /{unknown:path}":                                                                        (404, 404, 404, 404, 404, 404, 404),
}
# fmt: on

# Rows for one route met in a particular case: "METHOD path [case]", where the case gives some path
# parameters other values (World.cases). Invitations as they travel: one addressed to someone outside
# the world (forwarded to every role), one addressed to the member, an open link an admin made (member
# role), and an open link with a higher role made before open links were limited.
# fmt: off
CASES: dict[str, tuple[int, int, int, int, int, int, int]] = {
    # "METHOD path [case]":                                                                       (anon other member coauth facil autho admin)
    "GET /signup/{token:str} [forwarded invitation]":                                             (200, 403, 403, 403, 403, 403, 403),
    "POST /signup/{token:str} [forwarded invitation]":                                            (400, 400, 400, 400, 400, 400, 400),
    "POST /invitations/{token:str}/accept [forwarded invitation]":                                (302, 403, 403, 403, 403, 403, 403),
    "GET /signup/{token:str} [invitation addressed to the member]":                               (200, 403, 200, 403, 403, 403, 403),
    "POST /invitations/{token:str}/accept [invitation addressed to the member]":                  (302, 403, 303, 403, 403, 403, 403),
    "GET /signup/{token:str} [open link]":                                                        (200, 200, 200, 200, 200, 200, 200),
    "POST /invitations/{token:str}/accept [open link]":                                           (302, 303, 303, 303, 303, 303, 303),
    "GET /signup/{token:str} [open link above member]":                                           (403, 403, 403, 403, 403, 403, 403),
    "POST /signup/{token:str} [open link above member]":                                          (403, 403, 403, 403, 403, 403, 403),
    "POST /invitations/{token:str}/accept [open link above member]":                              (302, 403, 403, 403, 403, 403, 403),
}
# fmt: on


def _route_and_case(row: str) -> tuple[str, str | None]:
    if row.endswith("]") and " [" in row:
        route, case = row[:-1].split(" [", 1)
        return route, case
    return row, None


# The world's cycle is drafting: a ballot is refused to everyone for the phase (HTML: 303 back with the
# message; API: 409) before roles matter. Who may vote is tested in tests/voting.
FORMS: dict[str, dict[str, str]] = {
    "POST /recommendations/{recommendation_id:uuid}/ballot": {"choice": "for"},
    "PUT /api/recommendations/{recommendation_id:uuid}/ballot": {"choice": "for"},
    "POST /recommendations/{recommendation_id:uuid}/status": {"action": "withdraw"},
}


def app_routes(app: Litestar) -> list[str]:
    return sorted(
        f"{method} {route.path}"
        for route in app.routes
        for method in getattr(route, "methods", ())
        if method not in {"OPTIONS", "HEAD"}
    )


def rows_to_add(app: Litestar) -> list[str]:
    return [route for route in app_routes(app) if route not in MATRIX]


def test_every_route_is_in_the_matrix(tmp_path) -> None:
    app = create_app(Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'unused.sqlite3'}"))
    missing = rows_to_add(app)
    assert not missing, "add these routes to MATRIX (one expected status per role):\n" + "\n".join(
        f'    "{route}": (...),' for route in missing
    )
    routes = app_routes(app)
    gone = [route for route in MATRIX if route not in routes]
    assert not gone, f"these MATRIX rows name routes the app no longer has: {gone}"
    gone_cases = [row for row in CASES if _route_and_case(row)[0] not in routes]
    assert not gone_cases, f"these CASES rows name routes the app no longer has: {gone_cases}"


def test_every_case_is_one_the_world_holds(tmp_path) -> None:
    from tests.security.world import CASE_NAMES

    assert {_route_and_case(row)[1] for row in CASES} <= set(CASE_NAMES)


def test_a_route_added_without_its_row_is_caught(tmp_path) -> None:
    @get("/a-page-nobody-listed", sync_to_thread=False)
    def unlisted() -> str:
        return "new"

    app = create_app(Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'unused.sqlite3'}"))
    app.register(unlisted)
    assert rows_to_add(app) == ["GET /a-page-nobody-listed"]


async def _answer(http: httpx.AsyncClient, route: str, path: str, token: str, cookie: dict[str, str]) -> int:
    """The status `route` answers; an anonymous person sent elsewhere (302) must be sent to sign in."""
    method = route.split(" ")[0]
    headers = {"x-csrftoken": token} if method in UNSAFE else {}
    kwargs: dict[str, Any] = {"headers": headers, "cookies": cookie}
    if method in UNSAFE:
        if path.startswith("/api/"):
            kwargs["json"] = FORMS.get(route, {})
        else:
            kwargs["data"] = {**FORMS.get(route, {}), "_csrf_token": token}
    async with http.stream(method, path, **kwargs) as response:
        if not response.headers.get("content-type", "").startswith("text/event-stream"):
            await response.aread()
        if response.status_code == 302 and not cookie and route != "GET /login":
            assert response.headers["location"].startswith("/login"), f"{route} sent to {response.headers['location']}"
        return response.status_code


@pytest.mark.parametrize("role", ROLES)
async def test_each_role_gets_the_expected_answer_from_every_route(role: str, database_url: str, db) -> None:
    shared_world = await build_world(db)
    app = create_app(Settings(database_url=database_url, login_rate_limit=100_000))
    cookie_name = app.state.settings.session_cookie_name
    observed: dict[str, int] = {}
    expected = {**MATRIX, **CASES}
    with serve(app) as base_url:
        async with httpx.AsyncClient(base_url=base_url, timeout=20, follow_redirects=False) as http:
            token = re.search(r'name="_csrf_token" value="([^"]+)"', (await http.get("/login")).text).group(1)
            for row in expected:
                route, case = _route_and_case(row)
                method, path = route.split(" ", 1)
                world = await build_world(db) if method in UNSAFE else shared_world
                params = {**world.params, **(world.cases[case] if case else {})}
                cookie = {}
                if role != "anonymous":
                    cookie = {cookie_name: await session_cookie(db, world.people[role])}
                observed[row] = await _answer(http, route, fill(path, params), token, cookie)
    column = ROLES.index(role)
    if os.environ.get("PASSERELLE_MATRIX_PRINT"):
        for route, status in observed.items():
            print(f"MATRIX {role} {route} {status}")
    wrong = [
        f"{row}: expected {expected[row][column]}, got {status}"
        for row, status in observed.items()
        if status != expected[row][column]
    ]
    assert not wrong, f"{role}:\n" + "\n".join(wrong)
