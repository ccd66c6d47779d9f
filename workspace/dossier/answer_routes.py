"""Authority reviewers answer the recommendations addressed to them; the follow-up board and its CSV."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from workspace.accounts.guards import SignedIn, requires_user
from workspace.core.dates import format_typed
from workspace.core.forms import Form, FormError
from workspace.core.i18n import current_language
from workspace.core.i18n import gettext as _
from workspace.core.web import DbSession, notify, read_form, see_other
from workspace.cycles.access import CycleAccess, require
from workspace.cycles.dependencies import CycleInReach
from workspace.dossier import answers, board, carry_over
from workspace.dossier.models import Implementation, Position
from workspace.recommendations.models import Recommendation


def _choices() -> dict[str, Any]:
    return {
        "positions": [(p.value, answers.position_label(p.value)) for p in Position],
        "implementations": [(i.value, answers.implementation_label(i.value)) for i in Implementation],
        "position_label": answers.position_label,
        "implementation_label": answers.implementation_label,
        "typed_date_example": format_typed(date(2027, 6, 30), current_language.get()),
    }


async def _institution(db_session: AsyncSession, access: CycleAccess, wanted: str | None) -> tuple[str, list[str]]:
    mine = await answers.institutions_of(db_session, access)
    require(bool(mine))
    institution = wanted if wanted in mine else mine[0]
    return institution, mine


async def _inbox_context(
    db_session: AsyncSession, access: CycleAccess, institution: str, mine: list[str], bulk_form: Form | None = None
) -> dict[str, Any]:
    return {
        "access": access,
        "institution": institution,
        "institutions": mine,
        "items": await answers.inbox(db_session, access, institution),
        "bulk_form": bulk_form or Form(values={"implementation": "not_started"}),
        "selected": set(),
        **_choices(),
    }


def _back_to_inbox(access: CycleAccess, institution: str) -> Redirect:
    return see_other(f"/cycles/{access.cycle.slug}/answers?{urlencode({'institution': institution})}")


class AnswerController(Controller):
    """An authority reviewer's inbox of recommendations addressed to their institution, and each answer."""

    path = "/cycles/{slug:str}/answers"
    guards = [requires_user]

    @get(name="answers")
    async def inbox_page(
        self, db_session: DbSession, access: CycleInReach, institution: FromQuery[str | None] = None
    ) -> Template:
        chosen, mine = await _institution(db_session, access, institution)
        return Template("dossier/answers.html", context=await _inbox_context(db_session, access, chosen, mine))

    @post(name="answer_many")
    async def answer_many(
        self, request: Request, db_session: DbSession, me: SignedIn, access: CycleInReach
    ) -> Template | Redirect:
        data = await request.form()
        form = Form.from_data(data.dict())
        institution, mine = await _institution(db_session, access, form.get("institution"))
        raw_ids = data.getall("recommendation") if "recommendation" in data else []
        try:
            ids = [UUID(value) for value in raw_ids]
        except ValueError:
            raise NotFoundException() from None
        try:
            count = await answers.answer_many(db_session, access, ids, institution, form, me)
        except FormError as error:
            context = await _inbox_context(db_session, access, institution, mine, error.form)
            context["selected"] = {str(i) for i in ids}
            return Template("dossier/answers.html", context=context, status_code=400)
        notify(request, _("Your answer has been recorded for %(count)s recommendation(s).", count=count))
        return _back_to_inbox(access, institution)

    @get("/{recommendation_id:uuid}", name="answer")
    async def answer_page(
        self,
        db_session: DbSession,
        access: CycleInReach,
        recommendation_id: FromPath[UUID],
        institution: FromQuery[str | None] = None,
    ) -> Template:
        chosen, _mine = await _institution(db_session, access, institution)
        recommendation, answer = await answers.current_answer(db_session, access, recommendation_id, chosen)
        return _answer_page(access, chosen, recommendation, answer, answers.answer_form(answer))

    @post("/{recommendation_id:uuid}", name="answer_post")
    async def save_answer(
        self,
        request: Request,
        db_session: DbSession,
        me: SignedIn,
        access: CycleInReach,
        recommendation_id: FromPath[UUID],
    ) -> Template | Redirect:
        form = await read_form(request)
        institution, _mine = await _institution(db_session, access, form.get("institution"))
        try:
            await answers.save_answer(db_session, access, recommendation_id, institution, form, me)
        except FormError as error:
            recommendation, answer = await answers.current_answer(db_session, access, recommendation_id, institution)
            return _answer_page(access, institution, recommendation, answer, error.form, status=400)
        notify(request, _("Your answer has been recorded."))
        return _back_to_inbox(access, institution)


def _answer_page(
    access: CycleAccess, institution: str, recommendation: Recommendation, answer: Any, form: Form, status: int = 200
) -> Template:
    context = {
        "access": access,
        "institution": institution,
        "recommendation": recommendation,
        "answer": answer,
        "form": form,
        **_choices(),
    }
    return Template("dossier/answer.html", context=context, status_code=status)


class FollowUpController(Controller):
    """Every answer and status, and the response rates; public once the dossier is published."""

    path = "/cycles/{slug:str}"

    @get("/follow-up", name="follow_up")
    async def follow_up(self, db_session: DbSession, access: CycleInReach) -> Template:
        result = await board.board(db_session, access)
        may_carry = await carry_over.may_carry(db_session, access)
        context = {"access": access, "board": result, "may_carry": may_carry, **_choices()}
        return Template("dossier/follow_up.html", context=context)

    @get("/follow-up.csv", name="follow_up_csv")
    async def follow_up_csv(self, db_session: DbSession, access: CycleInReach) -> Response[bytes]:
        result = await board.board(db_session, access)
        filename = f"{access.cycle.slug}_follow-up_{date.today().isoformat()}.csv"
        return Response(
            content=board.board_csv(result),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": f'attachment; filename="{filename}"'},
        )


answer_routes = [AnswerController, FollowUpController]
