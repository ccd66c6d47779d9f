"""Facilitators' pages: the report queue, hiding and restoring, locking, suspending, merging, audit log."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from workspace.accounts.guards import SignedIn, requires_user
from workspace.core.forms import Form, FormError
from workspace.core.i18n import gettext as _
from workspace.core.web import DbSession, notify, read_form, see_other
from workspace.cycles.access import CycleAccess, require
from workspace.cycles.dependencies import CycleInReach
from workspace.discussion import comments, moderation, notifications
from workspace.discussion.models import Comment
from workspace.discussion.routes import discussion_changed
from workspace.recommendations import services as recommendations
from workspace.recommendations.models import Recommendation


class CycleModerationController(Controller):
    """A cycle's report queue, its members' suspensions and its audit log."""

    path = "/cycles/{slug:str}"
    guards = [requires_user]

    @get("/moderation", name="moderation")
    async def queue_page(self, db_session: DbSession, access: CycleInReach) -> Template:
        require(access.is_facilitator)
        return await _queue(db_session, access)

    @post("/reports/{report_id:uuid}/dismiss", name="dismiss_report")
    async def dismiss(
        self, request: Request, db_session: DbSession, access: CycleInReach, report_id: FromPath[UUID]
    ) -> Redirect:
        await moderation.dismiss(db_session, access, report_id)
        notify(request, _("The report is dismissed; the post stays as it is."))
        return see_other(f"/cycles/{access.cycle.slug}/moderation")

    @post("/members/{member_id:uuid}/suspension", name="suspension")
    async def suspension(
        self, request: Request, db_session: DbSession, access: CycleInReach, member_id: FromPath[UUID]
    ) -> Template | Redirect:
        require(access.is_facilitator)
        form = await read_form(request)
        suspend = form.get("action") != "reinstate"
        try:
            await moderation.set_suspended(db_session, access, member_id, suspend, form)
        except FormError as error:
            return await _queue(db_session, access, suspension_form=error.form, suspension_member=member_id)
        if suspend:
            notify(request, _("The member is suspended: they can read but no longer write or vote."))
        else:
            notify(request, _("The member can take part again."))
        return see_other(f"/cycles/{access.cycle.slug}/moderation")

    @get("/audit", name="audit")
    async def audit_page(
        self, db_session: DbSession, access: CycleInReach, action: FromQuery[str] = "", actor: FromQuery[str] = ""
    ) -> Template:
        require(access.is_facilitator)
        try:
            actor_id = UUID(actor) if actor else None
        except ValueError:
            actor_id = None
        context = {
            "access": access,
            "lines": await moderation.audit_log(db_session, access, action=action[:64], actor_id=actor_id),
            "action": action,
            "actor": actor,
            "people": await notifications.cycle_people(db_session, access.cycle.id),
            "actions": await moderation.audit_actions(db_session, access),
        }
        return Template("discussion/audit.html", context=context)


class CommentModerationController(Controller):
    """A facilitator hides a comment with a reason, or shows it again."""

    path = "/comments/{comment_id:uuid}"
    guards = [requires_user]

    @get("/hide", name="hide_comment")
    async def hide_page(self, db_session: DbSession, me: SignedIn, comment_id: FromPath[UUID]) -> Template:
        comment, recommendation, access = await comments.load_comment(db_session, comment_id, me)
        require(_may_hide(comment, access))
        return _hide_page(comment, recommendation, Form())

    @post("/hide", name="hide_comment_post")
    async def hide(
        self, request: Request, db_session: DbSession, me: SignedIn, comment_id: FromPath[UUID]
    ) -> Template | Redirect:
        comment, recommendation, access = await comments.load_comment(db_session, comment_id, me)
        require(_may_hide(comment, access))
        try:
            await moderation.hide_comment(db_session, access, comment, await read_form(request))
        except FormError as error:
            return _hide_page(comment, recommendation, error.form, status=400)
        notify(request, _("The comment is hidden; everyone sees your reason in its place."))
        return discussion_changed(request, recommendation.id, f"comment-{comment.id}")

    @post("/restore", name="restore_comment")
    async def restore(
        self, request: Request, db_session: DbSession, me: SignedIn, comment_id: FromPath[UUID]
    ) -> Redirect:
        comment, recommendation, access = await comments.load_comment(db_session, comment_id, me)
        await moderation.restore_comment(db_session, access, comment)
        notify(request, _("The comment is visible again."))
        return discussion_changed(request, recommendation.id, f"comment-{comment.id}")


class RecommendationModerationController(Controller):
    """A facilitator locks a recommendation's discussion, or merges it into another."""

    path = "/recommendations/{recommendation_id:uuid}"
    guards = [requires_user]

    @post("/lock", name="lock_discussion")
    async def lock(
        self, request: Request, db_session: DbSession, me: SignedIn, recommendation_id: FromPath[UUID]
    ) -> Redirect:
        recommendation, access = await recommendations.get_recommendation(db_session, recommendation_id, me)
        locked = (await read_form(request)).get("action") != "unlock"
        await moderation.set_locked(db_session, access, recommendation, locked)
        notify(request, _("The discussion is locked.") if locked else _("The discussion is open again."))
        return discussion_changed(request, recommendation.id, "discussion")

    @get("/merge", name="merge")
    async def merge_page(self, db_session: DbSession, me: SignedIn, recommendation_id: FromPath[UUID]) -> Template:
        recommendation, access = await recommendations.get_recommendation(db_session, recommendation_id, me)
        require(access.is_facilitator and recommendation.merged_into_id is None)
        return Template(
            "discussion/merge.html", context=await _merge_context(db_session, recommendation, access, Form())
        )

    @post("/merge", name="merge_post")
    async def merge(
        self, request: Request, db_session: DbSession, me: SignedIn, recommendation_id: FromPath[UUID]
    ) -> Template | Redirect:
        recommendation, access = await recommendations.get_recommendation(db_session, recommendation_id, me)
        require(access.is_facilitator)
        try:
            target = await moderation.merge(db_session, access, recommendation, await read_form(request))
        except FormError as error:
            context = await _merge_context(db_session, recommendation, access, error.form)
            return Template("discussion/merge.html", context=context, status_code=400)
        notify(request, _("Merged: its comments and followers are here now, and its old address leads here."))
        return see_other(f"/recommendations/{target.id}")


async def _queue(db_session: AsyncSession, access: CycleAccess, **form: Any) -> Template:
    context = {
        "access": access,
        "items": await moderation.queue(db_session, access),
        "suspended": await moderation.suspended_members(db_session, access),
        **form,
    }
    return Template("discussion/queue.html", context=context, status_code=400 if form else 200)


def _may_hide(comment: Comment, access: CycleAccess) -> bool:
    return access.is_facilitator and comment.hidden_at is None and comment.deleted_at is None


def _hide_page(comment: Comment, recommendation: Recommendation, form: Form, status: int = 200) -> Template:
    context = {"comment": comment, "recommendation": recommendation, "form": form}
    return Template("discussion/hide.html", context=context, status_code=status)


async def _merge_context(
    db_session: AsyncSession, recommendation: Recommendation, access: CycleAccess, form: Form
) -> dict[str, Any]:
    candidates = await moderation.merge_candidates(db_session, access, recommendation)
    return {"recommendation": recommendation, "access": access, "form": form, "candidates": candidates}


moderation_routes = [CycleModerationController, CommentModerationController, RecommendationModerationController]
