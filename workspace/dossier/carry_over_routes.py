"""Carrying recommendations into a later cycle, and the follow-up across cycles."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler
from sqlalchemy.ext.asyncio import AsyncSession

from workspace.accounts.guards import CurrentUser, SignedIn, requires_user
from workspace.core.forms import Form, FormError
from workspace.core.i18n import gettext as _
from workspace.core.web import DbSession, notify, read_form, see_other
from workspace.cycles.access import CycleAccess, require
from workspace.cycles.dependencies import CycleInReach
from workspace.dossier import board, carry_over


class CarryOverController(Controller):
    path = "/cycles/{slug:str}/carry-over"
    guards = [requires_user]

    @get(name="carry_over")
    async def carry_page(self, db_session: DbSession, access: CycleInReach) -> Template:
        require(await carry_over.may_carry(db_session, access))
        return Template("dossier/carry_over.html", context=await _context(db_session, access))

    @post(name="carry_over_post")
    async def carry(
        self, request: Request, db_session: DbSession, me: SignedIn, access: CycleInReach
    ) -> Template | Redirect:
        require(await carry_over.may_carry(db_session, access))
        try:
            carried = await carry_over.carry(db_session, access, await read_form(request), me)
        except FormError as error:
            context = await _context(db_session, access, error.form)
            return Template("dossier/carry_over.html", context=context, status_code=400)
        notify(request, _("The recommendation has been carried over as a draft; it links back to this cycle."))
        if await carry_over.may_open(db_session, me, carried):
            return see_other(f"/recommendations/{carried.id}")
        return see_other(f"/recommendations/{carried.carried_from_id}")  # the later cycle is its people's


@get("/follow-up", name="follow_up_overview")
async def overview(db_session: DbSession, user: CurrentUser) -> Template:
    return Template("dossier/overview.html", context={"summaries": await board.overview(db_session, user)})


async def _context(db_session: AsyncSession, access: CycleAccess, form: Form | None = None) -> dict[str, Any]:
    return {
        "access": access,
        "candidates": await carry_over.candidates(db_session, access.cycle),
        "targets": await carry_over.target_cycles(db_session, access),
        "form": form or Form(),
    }


carry_over_routes: list[ControllerRouterHandler] = [CarryOverController, overview]
