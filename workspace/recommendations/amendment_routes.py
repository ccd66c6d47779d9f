"""Amendments: propose a change to someone else's recommendation; co-authors accept or decline."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from workspace.accounts.guards import CurrentUser, SignedIn, requires_user
from workspace.accounts.models import User
from workspace.core import submissions
from workspace.core.forms import Form, FormError
from workspace.core.i18n import gettext as _
from workspace.core.web import DbSession, notify, read_form, see_other
from workspace.cycles.access import require
from workspace.recommendations import amendments, editing
from workspace.recommendations.content import FIELD_HINTS, FIELD_LABELS, content_of
from workspace.recommendations.diff import word_diff
from workspace.recommendations.models import ActionLevel
from workspace.recommendations.preview import Preview, preview_of


class AmendmentController(Controller):
    path = "/recommendations/{recommendation_id:uuid}/amendments"

    @get("/new", name="new_amendment", guards=[requires_user])
    async def new_page(self, db_session: DbSession, me: SignedIn, recommendation_id: FromPath[UUID]) -> Template:
        recommendation, access, allowed = await editing.load_with_rights(db_session, recommendation_id, me)
        require(allowed.can_amend)
        return _proposal_page(recommendation, access, Form(values=content_of(recommendation)))

    @post("/new", name="propose_amendment", guards=[requires_user])
    async def propose(
        self, request: Request, db_session: DbSession, me: SignedIn, recommendation_id: FromPath[UUID]
    ) -> Template | Redirect:
        form = await read_form(request)
        if form.get("intent") == "preview":
            recommendation, access, allowed = await editing.load_with_rights(db_session, recommendation_id, me)
            require(allowed.can_amend)
            return _proposal_page(recommendation, access, form, preview=preview_of(form))
        once = await submissions.claim(db_session, form, me.id, fallback=f"/recommendations/{recommendation_id}")
        try:
            amendment = await amendments.propose(db_session, recommendation_id, form, me)
        except FormError as error:
            recommendation, access, _rights = await editing.load_with_rights(db_session, recommendation_id, me)
            return _proposal_page(recommendation, access, error.form, status=400)
        location = f"/recommendations/{recommendation_id}/amendments/{amendment.id}"
        await submissions.settle(db_session, once, location)
        notify(request, _("Your amendment is proposed to the authors."))
        return see_other(location)

    @get("/{amendment_id:uuid}", name="amendment")
    async def amendment_page(
        self, db_session: DbSession, user: CurrentUser, recommendation_id: FromPath[UUID], amendment_id: FromPath[UUID]
    ) -> Template:
        return await _amendment_page(db_session, user, recommendation_id, amendment_id, Form())

    @post("/{amendment_id:uuid}/accept", name="accept_amendment", guards=[requires_user])
    async def accept(
        self,
        request: Request,
        db_session: DbSession,
        me: SignedIn,
        recommendation_id: FromPath[UUID],
        amendment_id: FromPath[UUID],
    ) -> Redirect:
        clashes = await amendments.accept(db_session, recommendation_id, amendment_id, me)
        if clashes:
            fields = ", ".join(str(FIELD_LABELS[name]) for name in clashes)
            message = _(
                "The text changed since this amendment was written, in the same places (%(fields)s). "
                "It was not applied: decline it with a reason, or ask its author for an updated amendment.",
                fields=fields,
            )
            notify(request, message, "error")
            return see_other(f"/recommendations/{recommendation_id}/amendments/{amendment_id}")
        notify(request, _("The amendment is accepted and became a new revision."))
        return see_other(f"/recommendations/{recommendation_id}")

    @post("/{amendment_id:uuid}/decline", name="decline_amendment", guards=[requires_user])
    async def decline(
        self,
        request: Request,
        db_session: DbSession,
        me: SignedIn,
        recommendation_id: FromPath[UUID],
        amendment_id: FromPath[UUID],
    ) -> Template | Redirect:
        form = await read_form(request)
        try:
            await amendments.decline(db_session, recommendation_id, amendment_id, form, me)
        except FormError as error:
            return await _amendment_page(db_session, me, recommendation_id, amendment_id, error.form, status=400)
        notify(request, _("The amendment is declined; its author sees your reason."))
        return see_other(f"/recommendations/{recommendation_id}")


def _proposal_page(
    recommendation: Any, access: Any, form: Form, status: int = 200, preview: Preview | None = None
) -> Template:
    context = {
        "preview": preview,
        "recommendation": recommendation,
        "access": access,
        "form": form,
        "labels": FIELD_LABELS,
        "hints": FIELD_HINTS,
        "levels": list(ActionLevel),
    }
    return Template("recommendations/amendment_new.html", context=context, status_code=status)


async def _amendment_page(
    db_session: AsyncSession,
    user: User | None,
    recommendation_id: UUID,
    amendment_id: UUID,
    form: Form,
    status: int = 200,
) -> Template:
    recommendation, access, allowed = await editing.load_with_rights(db_session, recommendation_id, user)
    shown = await amendments.view(db_session, recommendation, amendment_id)
    diffs = [
        {"name": name, "label": FIELD_LABELS[name], "diff": word_diff(shown.base[name], shown.proposed[name])}
        for name in shown.changed_fields
    ]
    context = {
        "recommendation": recommendation,
        "access": access,
        "rights": allowed,
        "view": shown,
        "diffs": diffs,
        "form": form,
    }
    return Template("recommendations/amendment.html", context=context, status_code=status)


amendment_routes = [AmendmentController]
