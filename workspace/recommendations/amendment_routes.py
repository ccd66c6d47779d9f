"""Amendments: propose a change to someone else's recommendation; co-authors accept or decline."""

from __future__ import annotations

from uuid import UUID

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from workspace.accounts.guards import CurrentUser, requires_user, signed_in
from workspace.core import submissions
from workspace.core.forms import Form, FormError
from workspace.core.i18n import gettext as _
from workspace.core.web import DbSession, notify, read_form, see_other
from workspace.cycles.access import require
from workspace.recommendations import amendments, editing
from workspace.recommendations.content import FIELD_HINTS, FIELD_LABELS, content_of
from workspace.recommendations.diff import word_diff
from workspace.recommendations.models import ActionLevel


@get("/recommendations/{recommendation_id:uuid}/amendments/new", name="new_amendment", guards=[requires_user])
async def new_page(db_session: DbSession, user: CurrentUser, recommendation_id: FromPath[UUID]) -> Template:
    recommendation, access, allowed = await editing.load_with_rights(db_session, recommendation_id, user)
    require(allowed.can_amend)
    form = Form(values=content_of(recommendation))
    context = {"recommendation": recommendation, "access": access, "form": form, "labels": FIELD_LABELS,
               "hints": FIELD_HINTS, "levels": list(ActionLevel)}  # fmt: skip
    return Template("recommendations/amendment_new.html", context=context)


@post("/recommendations/{recommendation_id:uuid}/amendments/new", guards=[requires_user])
async def propose(request: Request, db_session: DbSession, recommendation_id: FromPath[UUID]) -> Template | Redirect:
    user = signed_in(request)
    form = await read_form(request)
    once = await submissions.claim(db_session, form, user.id, fallback=f"/recommendations/{recommendation_id}")
    try:
        amendment = await amendments.propose(db_session, recommendation_id, form, user)
    except FormError as error:
        recommendation, access, _rights = await editing.load_with_rights(db_session, recommendation_id, user)
        context = {"recommendation": recommendation, "access": access, "form": error.form, "labels": FIELD_LABELS,
                   "hints": FIELD_HINTS, "levels": list(ActionLevel)}  # fmt: skip
        return Template("recommendations/amendment_new.html", context=context, status_code=400)
    location = f"/recommendations/{recommendation_id}/amendments/{amendment.id}"
    await submissions.settle(db_session, once, location)
    notify(request, _("Your amendment is proposed to the authors."))
    return see_other(location)


@get("/recommendations/{recommendation_id:uuid}/amendments/{amendment_id:uuid}", name="amendment")
async def amendment_page(
    db_session: DbSession, user: CurrentUser, recommendation_id: FromPath[UUID], amendment_id: FromPath[UUID]
) -> Template:
    recommendation, access, allowed = await editing.load_with_rights(db_session, recommendation_id, user)
    shown = await amendments.view(db_session, recommendation, amendment_id)
    diffs = [
        {"name": name, "label": FIELD_LABELS[name], "diff": word_diff(shown.base[name], shown.proposed[name])}
        for name in shown.changed_fields
    ]
    context = {"recommendation": recommendation, "access": access, "rights": allowed, "view": shown, "diffs": diffs,
               "form": Form()}  # fmt: skip
    return Template("recommendations/amendment.html", context=context)


@post("/recommendations/{recommendation_id:uuid}/amendments/{amendment_id:uuid}/accept", guards=[requires_user])
async def accept(
    request: Request, db_session: DbSession, recommendation_id: FromPath[UUID], amendment_id: FromPath[UUID]
) -> Redirect:
    clashes = await amendments.accept(db_session, recommendation_id, amendment_id, signed_in(request))
    if clashes:
        fields = ", ".join(str(FIELD_LABELS[name]) for name in clashes)
        notify(
            request,
            _(
                "The text changed since this amendment was written, in the same places (%(fields)s). "
                "It was not applied: decline it with a reason, or ask its author for an updated amendment.",
                fields=fields,
            ),
            "error",
        )
        return see_other(f"/recommendations/{recommendation_id}/amendments/{amendment_id}")
    notify(request, _("The amendment is accepted and became a new revision."))
    return see_other(f"/recommendations/{recommendation_id}")


@post("/recommendations/{recommendation_id:uuid}/amendments/{amendment_id:uuid}/decline", guards=[requires_user])
async def decline(
    request: Request, db_session: DbSession, recommendation_id: FromPath[UUID], amendment_id: FromPath[UUID]
) -> Template | Redirect:
    user = signed_in(request)
    form = await read_form(request)
    try:
        await amendments.decline(db_session, recommendation_id, amendment_id, form, user)
    except FormError as error:
        recommendation, access, allowed = await editing.load_with_rights(db_session, recommendation_id, user)
        shown = await amendments.view(db_session, recommendation, amendment_id)
        diffs = [
            {"name": name, "label": FIELD_LABELS[name], "diff": word_diff(shown.base[name], shown.proposed[name])}
            for name in shown.changed_fields
        ]
        context = {"recommendation": recommendation, "access": access, "rights": allowed, "view": shown,
                   "diffs": diffs, "form": error.form}  # fmt: skip
        return Template("recommendations/amendment.html", context=context, status_code=400)
    notify(request, _("The amendment is declined; its author sees your reason."))
    return see_other(f"/recommendations/{recommendation_id}")


amendment_routes = [new_page, propose, amendment_page, accept, decline]
