"""Carrying recommendations into a later cycle, and the follow-up across cycles."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from workspace.accounts.guards import CurrentUser, requires_user, signed_in
from workspace.core.forms import Form, FormError
from workspace.core.i18n import gettext as _
from workspace.core.web import DbSession, notify, read_form, see_other
from workspace.cycles import services as cycles
from workspace.cycles.access import CycleAccess, require
from workspace.dossier import board, memory


async def _context(db_session: DbSession, access: CycleAccess, form: Form | None = None) -> dict[str, Any]:
    return {
        "access": access,
        "candidates": await memory.candidates(db_session, access.cycle),
        "targets": await memory.target_cycles(db_session, access),
        "form": form or Form(),
    }


@get("/cycles/{slug:str}/carry-over", name="carry_over", guards=[requires_user])
async def carry_page(db_session: DbSession, user: CurrentUser, slug: FromPath[str]) -> Template:
    access = await cycles.get_cycle(db_session, slug, user)
    require(memory.may_carry(access))
    return Template("dossier/carry_over.html", context=await _context(db_session, access))


@post("/cycles/{slug:str}/carry-over", guards=[requires_user])
async def carry(request: Request, db_session: DbSession, slug: FromPath[str]) -> Template | Redirect:
    user = signed_in(request)
    access = await cycles.get_cycle(db_session, slug, user)
    require(memory.may_carry(access))
    form = await read_form(request)
    try:
        carried = await memory.carry(db_session, access, form, user)
    except FormError as error:
        return Template("dossier/carry_over.html", context=await _context(db_session, access, error.form),
                        status_code=400)  # fmt: skip
    notify(request, _("The recommendation has been carried over as a draft; it links back to this cycle."))
    return see_other(f"/recommendations/{carried.id}")


@get("/follow-up", name="follow_up_overview")
async def overview(db_session: DbSession, user: CurrentUser) -> Template:
    return Template("dossier/overview.html", context={"summaries": await board.overview(db_session, user)})


memory_routes = [carry_page, carry, overview]
