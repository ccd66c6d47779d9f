"""Authority reviewers answer the recommendations addressed to them; the follow-up board and its CSV."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from workspace.accounts.guards import CurrentUser, requires_user, signed_in
from workspace.core.forms import Form, FormError
from workspace.core.i18n import gettext as _
from workspace.core.web import DbSession, notify, read_form, see_other
from workspace.cycles import services as cycles
from workspace.cycles.access import CycleAccess, require
from workspace.dossier import answers, board
from workspace.dossier.models import Implementation, Position


def _choices() -> dict[str, Any]:
    return {
        "positions": [(p.value, answers.position_label(p.value)) for p in Position],
        "implementations": [(i.value, answers.implementation_label(i.value)) for i in Implementation],
        "position_label": answers.position_label,
        "implementation_label": answers.implementation_label,
        "today": date.today().isoformat(),
    }


async def _institution(db_session: DbSession, access: CycleAccess, wanted: str | None) -> tuple[str, list[str]]:
    mine = await answers.institutions_of(db_session, access)
    require(bool(mine))
    institution = wanted if wanted in mine else mine[0]
    return institution, mine


async def _inbox_context(db_session: DbSession, access: CycleAccess, institution: str, mine: list[str],
                         bulk_form: Form | None = None) -> dict[str, Any]:  # fmt: skip
    return {
        "access": access,
        "institution": institution,
        "institutions": mine,
        "items": await answers.inbox(db_session, access, institution),
        "bulk_form": bulk_form or Form(values={"implementation": "not_started"}),
        "selected": set(),
        **_choices(),
    }


@get("/cycles/{slug:str}/answers", name="answers", guards=[requires_user])
async def inbox_page(
    db_session: DbSession, user: CurrentUser, slug: FromPath[str], institution: FromQuery[str | None] = None
) -> Template:
    access = await cycles.get_cycle(db_session, slug, user)
    chosen, mine = await _institution(db_session, access, institution)
    return Template("dossier/answers.html", context=await _inbox_context(db_session, access, chosen, mine))


@post("/cycles/{slug:str}/answers", guards=[requires_user])
async def answer_many(request: Request, db_session: DbSession, slug: FromPath[str]) -> Template | Redirect:
    user = signed_in(request)
    access = await cycles.get_cycle(db_session, slug, user)
    data = await request.form()
    form = Form.from_data(data.dict())
    institution, mine = await _institution(db_session, access, form.get("institution"))
    raw_ids = data.getall("recommendation") if "recommendation" in data else []
    try:
        ids = [UUID(value) for value in raw_ids]
    except ValueError:
        require(False)
        raise
    try:
        count = await answers.answer_many(db_session, access, ids, institution, form, user)
    except FormError as error:
        context = await _inbox_context(db_session, access, institution, mine, error.form)
        context["selected"] = {str(i) for i in ids}
        return Template("dossier/answers.html", context=context, status_code=400)
    notify(request, _("Your answer has been recorded for %(count)s recommendation(s).", count=count))
    return see_other(f"/cycles/{slug}/answers?institution={institution}")


@get("/cycles/{slug:str}/answers/{recommendation_id:uuid}", name="answer", guards=[requires_user])
async def answer_page(
    db_session: DbSession,
    user: CurrentUser,
    slug: FromPath[str],
    recommendation_id: FromPath[UUID],
    institution: FromQuery[str | None] = None,
) -> Template:
    access = await cycles.get_cycle(db_session, slug, user)
    chosen, _mine = await _institution(db_session, access, institution)
    recommendation, answer = await answers.current_answer(db_session, access, recommendation_id, chosen)
    context = {"access": access, "institution": chosen, "recommendation": recommendation, "answer": answer,
               "form": answers.answer_form(answer), **_choices()}  # fmt: skip
    return Template("dossier/answer.html", context=context)


@post("/cycles/{slug:str}/answers/{recommendation_id:uuid}", guards=[requires_user])
async def save_answer(
    request: Request, db_session: DbSession, slug: FromPath[str], recommendation_id: FromPath[UUID]
) -> Template | Redirect:
    user = signed_in(request)
    access = await cycles.get_cycle(db_session, slug, user)
    form = await read_form(request)
    institution, _mine = await _institution(db_session, access, form.get("institution"))
    try:
        await answers.save_answer(db_session, access, recommendation_id, institution, form, user)
    except FormError as error:
        recommendation, answer = await answers.current_answer(db_session, access, recommendation_id, institution)
        context = {"access": access, "institution": institution, "recommendation": recommendation, "answer": answer,
                   "form": error.form, **_choices()}  # fmt: skip
        return Template("dossier/answer.html", context=context, status_code=400)
    notify(request, _("Your answer has been recorded."))
    return see_other(f"/cycles/{slug}/answers?institution={institution}")


@get("/cycles/{slug:str}/follow-up", name="follow_up")
async def follow_up(db_session: DbSession, user: CurrentUser, slug: FromPath[str]) -> Template:
    """Every answer and status, and the response rates; public once the dossier is published."""
    access = await cycles.get_cycle(db_session, slug, user)
    result = await board.board(db_session, access)
    return Template("dossier/follow_up.html", context={"access": access, "board": result, **_choices()})


@get("/cycles/{slug:str}/follow-up.csv", name="follow_up_csv")
async def follow_up_csv(db_session: DbSession, user: CurrentUser, slug: FromPath[str]) -> Response[bytes]:
    access = await cycles.get_cycle(db_session, slug, user)
    result = await board.board(db_session, access)
    filename = f"{slug}_follow-up_{date.today().isoformat()}.csv"
    return Response(content=board.board_csv(result), media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": f'attachment; filename="{filename}"'})  # fmt: skip


answer_routes = [inbox_page, answer_many, answer_page, save_answer, follow_up, follow_up_csv]
