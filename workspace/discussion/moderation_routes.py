"""Facilitators' pages: the report queue, hiding and restoring, locking, suspending, merging, audit log."""

from __future__ import annotations

from uuid import UUID

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from workspace.accounts.guards import CurrentUser, requires_user, signed_in
from workspace.core.forms import Form, FormError
from workspace.core.i18n import gettext as _
from workspace.core.web import DbSession, notify, read_form, see_other
from workspace.cycles import services as cycles
from workspace.cycles.access import require
from workspace.discussion import comments, moderation, notifications
from workspace.discussion.routes import discussion_changed
from workspace.recommendations import services as recommendations


@get("/cycles/{slug:str}/moderation", name="moderation", guards=[requires_user])
async def queue_page(db_session: DbSession, user: CurrentUser, slug: FromPath[str]) -> Template:
    access = await cycles.get_cycle(db_session, slug, user)
    require(access.is_facilitator)
    return Template("discussion/queue.html", context={"access": access,
                                                      "items": await moderation.queue(db_session, access)})  # fmt: skip


@post("/cycles/{slug:str}/reports/{report_id:uuid}/dismiss", guards=[requires_user])
async def dismiss(request: Request, db_session: DbSession, slug: FromPath[str], report_id: FromPath[UUID]) -> Redirect:
    access = await cycles.get_cycle(db_session, slug, signed_in(request))
    await moderation.dismiss(db_session, access, report_id)
    notify(request, _("The report is dismissed; the post stays as it is."))
    return see_other(f"/cycles/{slug}/moderation")


@post("/comments/{comment_id:uuid}/hide", guards=[requires_user])
async def hide(request: Request, db_session: DbSession, comment_id: FromPath[UUID]) -> Template | Redirect:
    comment, recommendation, access = await comments.load_comment(db_session, comment_id, signed_in(request))
    require(access.is_facilitator and comment.hidden_at is None and comment.deleted_at is None)
    form = await read_form(request)
    try:
        await moderation.hide_comment(db_session, access, comment, form)
    except FormError as error:
        return Template("discussion/hide.html", context={"comment": comment, "recommendation": recommendation,
                                                         "form": error.form}, status_code=400)  # fmt: skip
    notify(request, _("The comment is hidden; everyone sees your reason in its place."))
    return discussion_changed(request, recommendation.id, f"comment-{comment.id}")


@get("/comments/{comment_id:uuid}/hide", guards=[requires_user])
async def hide_page(db_session: DbSession, user: CurrentUser, comment_id: FromPath[UUID]) -> Template:
    comment, recommendation, access = await comments.load_comment(db_session, comment_id, user)
    require(access.is_facilitator and comment.hidden_at is None and comment.deleted_at is None)
    return Template("discussion/hide.html", context={"comment": comment, "recommendation": recommendation,
                                                     "form": Form()})  # fmt: skip


@post("/comments/{comment_id:uuid}/restore", guards=[requires_user])
async def restore(request: Request, db_session: DbSession, comment_id: FromPath[UUID]) -> Redirect:
    comment, recommendation, access = await comments.load_comment(db_session, comment_id, signed_in(request))
    await moderation.restore_comment(db_session, access, comment)
    notify(request, _("The comment is visible again."))
    return discussion_changed(request, recommendation.id, f"comment-{comment.id}")


@post("/recommendations/{recommendation_id:uuid}/lock", guards=[requires_user])
async def lock(request: Request, db_session: DbSession, recommendation_id: FromPath[UUID]) -> Redirect:
    recommendation, access = await recommendations.get_recommendation(db_session, recommendation_id, signed_in(request))
    locked = (await read_form(request)).get("action") != "unlock"
    await moderation.set_locked(db_session, access, recommendation, locked)
    notify(request, _("The discussion is locked.") if locked else _("The discussion is open again."))
    return discussion_changed(request, recommendation.id, "discussion")


@get("/recommendations/{recommendation_id:uuid}/merge", guards=[requires_user])
async def merge_page(db_session: DbSession, user: CurrentUser, recommendation_id: FromPath[UUID]) -> Template:
    recommendation, access = await recommendations.get_recommendation(db_session, recommendation_id, user)
    require(access.is_facilitator and recommendation.merged_into_id is None)
    return Template("discussion/merge.html", context=await _merge_context(db_session, recommendation, access, Form()))


@post("/recommendations/{recommendation_id:uuid}/merge", guards=[requires_user])
async def merge(request: Request, db_session: DbSession, recommendation_id: FromPath[UUID]) -> Template | Redirect:
    recommendation, access = await recommendations.get_recommendation(db_session, recommendation_id, signed_in(request))
    require(access.is_facilitator)
    form = await read_form(request)
    try:
        target = await moderation.merge(db_session, access, recommendation, form)
    except FormError as error:
        context = await _merge_context(db_session, recommendation, access, error.form)
        return Template("discussion/merge.html", context=context, status_code=400)
    notify(request, _("Merged: its comments and followers are here now, and its old address leads here."))
    return see_other(f"/recommendations/{target.id}")


async def _merge_context(db_session: DbSession, recommendation, access, form: Form) -> dict:  # type: ignore[no-untyped-def]
    candidates = await moderation.merge_candidates(db_session, access, recommendation)
    return {"recommendation": recommendation, "access": access, "form": form, "candidates": candidates}


@post("/cycles/{slug:str}/members/{member_id:uuid}/suspension", guards=[requires_user])
async def suspension(
    request: Request, db_session: DbSession, slug: FromPath[str], member_id: FromPath[UUID]
) -> Template | Redirect:
    access = await cycles.get_cycle(db_session, slug, signed_in(request))
    require(access.is_facilitator)
    form = await read_form(request)
    suspend = form.get("action") != "reinstate"
    try:
        await moderation.set_suspended(db_session, access, member_id, suspend, form)
    except FormError as error:
        return Template("discussion/queue.html", context={"access": access, "suspension_form": error.form,
                        "suspension_member": member_id,
                        "items": await moderation.queue(db_session, access)}, status_code=400)  # fmt: skip
    notify(request, _("The member is suspended: they can read but no longer write or vote.") if suspend
           else _("The member can take part again."))  # fmt: skip
    return see_other(f"/cycles/{slug}/moderation")


@get("/cycles/{slug:str}/audit", name="audit", guards=[requires_user])
async def audit_page(request: Request, db_session: DbSession, user: CurrentUser, slug: FromPath[str]) -> Template:
    access = await cycles.get_cycle(db_session, slug, user)
    require(access.is_facilitator)
    action = request.query_params.get("action", "")
    raw_actor = request.query_params.get("actor", "")
    try:
        actor_id = UUID(raw_actor) if raw_actor else None
    except ValueError:
        actor_id = None
    lines = await moderation.audit_log(db_session, access, action=action[:64], actor_id=actor_id)
    people = await notifications.cycle_people(db_session, access.cycle.id)
    return Template("discussion/audit.html", context={
        "access": access, "lines": lines, "action": action, "actor": raw_actor, "people": people,
        "actions": await moderation.audit_actions(db_session, access)})  # fmt: skip


moderation_routes = [queue_page, dismiss, hide, hide_page, restore, lock, merge_page, merge, suspension, audit_page]
