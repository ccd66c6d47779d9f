"""The colloquium screen: the room's projector shows turnout (and, when allowed, results) for the
recommendation being voted on, redrawn by server-sent events as ballots arrive."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

from litestar import Request, get, post
from litestar.channels import ChannelsPlugin
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, ServerSentEvent, ServerSentEventMessage, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from workspace.accounts.guards import CurrentUser, requires_user, signed_in
from workspace.accounts.sessions import SessionWatch
from workspace.core import events, i18n, live
from workspace.core.i18n import gettext as _
from workspace.core.web import DbSession, notify, see_other
from workspace.cycles import services as cycles
from workspace.cycles.access import CycleAccess, cycle_access, require
from workspace.cycles.models import Cycle
from workspace.voting import results, rules, services

REDRAW_AT_MOST_EVERY = 0.5
"""A burst of ballots (the whole room voting at once) becomes one redraw, not hundreds."""

Channels = NamedDependency[ChannelsPlugin]


async def _screen(session: AsyncSession, access: CycleAccess) -> dict[str, Any]:
    recommendation = await services.projected(session, access.cycle)
    tally = result = None
    if recommendation is not None:
        if rules.results_visible(access):
            result = (await results.results_for(session, access, [recommendation]))[recommendation.id]
            tally = result.tally
        else:
            tally = (await services.tallies(session, access.cycle, [recommendation]))[recommendation.id]
    return {"access": access, "projected": recommendation, "tally": tally, "result": result}


@get("/cycles/{slug:str}/colloquium", name="colloquium", guards=[requires_user])
async def colloquium_page(db_session: DbSession, user: CurrentUser, slug: FromPath[str]) -> Template:
    access = await cycles.get_cycle(db_session, slug, user)
    require(access.is_participant)
    context = await _screen(db_session, access)
    context["candidates"] = (
        await services.recommendations_on_ballot(db_session, access.cycle) if access.is_facilitator else []
    )
    return Template("voting/colloquium.html", context=context)


@post("/cycles/{slug:str}/colloquium", guards=[requires_user])
async def choose_projected(request: Request, db_session: DbSession, slug: FromPath[str]) -> Redirect:
    access = await cycles.get_cycle(db_session, slug, signed_in(request))
    require(access.is_facilitator)
    raw = (await request.form()).get("recommendation_id") or ""
    try:
        chosen = UUID(raw) if raw else None
    except ValueError:
        chosen = None
        require(False)
    await services.project(db_session, access, chosen)
    notify(request, _("The screen now shows the chosen recommendation."))
    background = events.after_response(request, events.votes_channel(access.cycle.id), "screen")
    redirect = see_other(f"/cycles/{slug}/colloquium")
    redirect.background = background
    return redirect


@get("/cycles/{slug:str}/colloquium/stream", guards=[requires_user])
async def colloquium_stream(
    request: Request, db_session: DbSession, user: CurrentUser, slug: FromPath[str], channels: Channels
) -> ServerSentEvent:
    access = await cycles.get_cycle(db_session, slug, user)
    require(access.is_participant)
    cycle_id = access.cycle.id
    language = i18n.current_language.get()
    template = request.app.template_engine.get_template("voting/_colloquium_live.html")  # type: ignore[union-attr]
    reader = SessionWatch.of(request)

    async def render() -> str | None:
        """The screen as the reader may see it now, or None once they may no longer see it."""
        i18n.current_language.set(language)
        async with request.app.state.db.session(write=False) as session:
            cycle = await session.scalar(select(Cycle).where(Cycle.id == cycle_id).options(selectinload(Cycle.axes)))
            if cycle is None:
                return None
            fresh = await cycle_access(session, reader.user, cycle)
            if not fresh.is_participant:
                return None
            context = await _screen(session, fresh)
        return template.render(**context, request=request)

    async def stream() -> AsyncIterator[ServerSentEventMessage]:
        async for batch in live.batches(
            channels,
            [events.votes_channel(cycle_id)],
            classify=lambda _data: "tally",
            still_allowed=reader.check,
            coalesce=REDRAW_AT_MOST_EVERY,
            catch_up=frozenset({"tally"}),
        ):
            if batch.is_keepalive:
                yield ServerSentEventMessage(comment="keep-alive")
                continue
            screen = await render()
            if screen is None:
                return
            yield ServerSentEventMessage(data=screen, event="tally")

    return ServerSentEvent(stream())


colloquium_routes = [colloquium_page, choose_projected, colloquium_stream]
