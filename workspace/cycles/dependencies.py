"""The cycle a route's `{slug}` names, as the person asking may see it: the `access` dependency."""

from __future__ import annotations

from litestar.di import NamedDependency, Provide
from litestar.exceptions import HTTPException
from litestar.params import FromPath

from workspace.accounts.guards import CurrentUser
from workspace.core.db import give_back
from workspace.core.web import DbSession
from workspace.cycles.access import CycleAccess
from workspace.cycles.services import get_cycle

CycleInReach = NamedDependency[CycleAccess]
"""The cycle of the path's `{slug}` with the asker's roles in it; unknown or out of reach is a 404."""


async def _provide_access(db_session: DbSession, user: CurrentUser, slug: FromPath[str]) -> CycleAccess:
    """Litestar cleans the request's dependencies up only once all of them are resolved: a refusal
    here would leave the database session open (on SQLite holding the one writer connection, so that
    the response's own session write and every later form wait for it). It is given back before refusing;
    nothing was written yet."""
    try:
        return await get_cycle(db_session, slug, user)
    except HTTPException:
        await give_back(db_session)
        raise


DEPENDENCIES = {"access": Provide(_provide_access)}
