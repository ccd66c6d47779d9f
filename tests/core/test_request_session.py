"""The request's database session commits only what a handler that succeeded wrote: a form re-rendered
with its errors, a refusal or an error leaves nothing behind; a redirect after success commits."""

from __future__ import annotations

from litestar import Litestar, Response, post
from litestar.di import Provide
from litestar.exceptions import NotFoundException
from litestar.response import Redirect
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select

from workspace.core import audit
from workspace.core.db import Database
from workspace.core.models import AuditEntry
from workspace.core.web import DbSession, begin_outcome, provide_db_session, record_outcome, see_other


async def _entries(db) -> list[str]:
    async with db.session(write=False) as session:
        return list((await session.scalars(select(AuditEntry.action).order_by(AuditEntry.action))).all())


def _app(database_url: str) -> Litestar:
    def write(session, action: str) -> None:
        audit.record(session, action=action, actor_id=None)

    @post("/saved", sync_to_thread=False)
    def saved(db_session: DbSession) -> Redirect:
        write(db_session, "saved")
        return see_other("/")

    @post("/refused/{status:int}", sync_to_thread=False)
    def refused(db_session: DbSession, status: int) -> Response[str]:
        write(db_session, f"refused.{status}")
        return Response("the form again, with its errors", status_code=status)

    @post("/failed", sync_to_thread=False)
    def failed(db_session: DbSession) -> None:
        write(db_session, "failed")
        raise NotFoundException()

    def the_asker() -> str:
        return "someone"

    @post("/refused-with-company", sync_to_thread=False)
    def refused_with_company(db_session: DbSession, asker: str) -> Response[str]:
        write(db_session, "refused.with_company")
        return Response("the form again", status_code=400)

    async def before_request(_request: object) -> None:
        begin_outcome()

    app = Litestar(
        [saved, refused, failed, refused_with_company],
        dependencies={"db_session": Provide(provide_db_session), "asker": Provide(the_asker, sync_to_thread=False)},
        before_request=before_request,
        after_request=record_outcome,
    )
    app.state.db = Database(database_url)
    return app


async def test_only_a_handler_that_succeeded_commits_what_it_wrote(db, database_url):
    app = _app(database_url)
    async with AsyncTestClient(app=app) as client:
        assert (await client.post("/saved", follow_redirects=False)).status_code == 303
        for status in (400, 403, 409, 429):
            assert (await client.post(f"/refused/{status}")).status_code == status
        assert (await client.post("/failed")).status_code == 404
        # The session and another dependency are resolved side by side, each in a task of its own.
        assert (await client.post("/refused-with-company")).status_code == 400
        await app.state.db.dispose()
    async with db.session(write=False) as session:
        refused = await session.scalar(select(func.count()).where(AuditEntry.action.like("refused%")))
    assert refused == 0
    assert "saved" in await _entries(db)
    assert "failed" not in await _entries(db)
