"""The colloquium screen: the room's projector shows turnout (and, when allowed, results) for the
recommendation being voted on, redrawn by server-sent events as ballots arrive."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.channels import ChannelsPlugin
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, ServerSentEvent, ServerSentEventMessage, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from workspace.accounts.guards import requires_user
from workspace.accounts.sessions import SessionWatch
from workspace.core import events, i18n, live
from workspace.core.i18n import gettext as _
from workspace.core.templating import render_fragment
from workspace.core.web import DbSession, notify, see_other
from workspace.cycles.access import CycleAccess, cycle_access, require
from workspace.cycles.dependencies import CycleInReach
from workspace.cycles.models import Cycle
from workspace.voting import results, rules, services

REDRAW_AT_MOST_EVERY = 0.5
"""A burst of ballots (the whole room voting at once) becomes one redraw, not hundreds."""

Channels = NamedDependency[ChannelsPlugin]


async def _screen(session: AsyncSession, access: CycleAccess) -> dict[str, Any]:
    recommendation = await services.on_screen(session, access.cycle)
    tally = result = None
    if recommendation is not None:
        if rules.results_visible(access):
            result = (await results.results_for(session, access, [recommendation]))[recommendation.id]
            tally = result.tally
        else:
            tally = (await services.tallies(session, access.cycle, [recommendation]))[recommendation.id]
    return {"access": access, "projected": recommendation, "tally": tally, "result": result}


class ColloquiumController(Controller):
    path = "/cycles/{slug:str}/colloquium"
    guards = [requires_user]

    @get(name="colloquium")
    async def colloquium_page(self, db_session: DbSession, access: CycleInReach) -> Template:
        require(access.is_participant)
        context = await _screen(db_session, access)
        context["candidates"] = (
            await services.recommendations_on_ballot(db_session, access.cycle) if access.is_facilitator else []
        )
        return Template("voting/colloquium.html", context=context)

    @post(name="put_on_screen")
    async def put_on_screen(self, request: Request, db_session: DbSession, access: CycleInReach) -> Redirect:
        require(access.is_facilitator)
        raw = str((await request.form()).get("recommendation_id") or "")
        try:
            chosen = UUID(raw) if raw else None
        except ValueError:
            raise NotFoundException() from None
        await services.put_on_screen(db_session, access, chosen)
        notify(request, _("The screen now shows the chosen recommendation."))
        redirect = see_other(f"/cycles/{access.cycle.slug}/colloquium")
        redirect.background = events.after_response(request, events.votes_channel(access.cycle.id), "screen")
        return redirect

    @get("/stream", name="colloquium_stream")
    async def colloquium_stream(self, request: Request, access: CycleInReach, channels: Channels) -> ServerSentEvent:
        require(access.is_participant)
        return ServerSentEvent(_screen_events(request, access.cycle.id, channels))


async def _screen_events(
    request: Request, cycle_id: UUID, channels: ChannelsPlugin
) -> AsyncIterator[ServerSentEventMessage]:
    """The screen again after each burst of ballots, for as long as the reader may see it."""
    language = i18n.current_language.get()
    reader = SessionWatch.of(request)

    async def render() -> str | None:
        i18n.current_language.set(language)
        async with request.app.state.db.session(write=False) as session:
            cycle = await session.scalar(select(Cycle).where(Cycle.id == cycle_id).options(selectinload(Cycle.axes)))
            if cycle is None:
                return None
            fresh = await cycle_access(session, reader.user, cycle)
            if not fresh.is_participant:
                return None
            context = await _screen(session, fresh)
        return render_fragment(request, "voting/_colloquium_live.html", context)

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


colloquium_routes = [ColloquiumController]
