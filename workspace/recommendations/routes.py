"""The recommendation page (the text in the reader's language, its authors, amendments, vote and
discussion) and an axis's list of recommendations."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from workspace.accounts.guards import CurrentUser, SignedIn, requires_user
from workspace.core.forms import Form
from workspace.core.i18n import gettext as _
from workspace.core.web import DbSession, notify, see_other
from workspace.cycles import services as cycles
from workspace.cycles.access import require
from workspace.cycles.dependencies import CycleInReach
from workspace.recommendations import editing, listing, privacy, services, translations
from workspace.recommendations.rules import can_create
from workspace.recommendations.views import page_context


class RecommendationController(Controller):
    path = "/recommendations/{recommendation_id:uuid}"

    @get(name="recommendation")
    async def recommendation_page(
        self, db_session: DbSession, user: CurrentUser, recommendation_id: FromPath[UUID], about: FromQuery[str] = ""
    ) -> Template | Redirect:
        """`about`: what the comment form starts about ("Comment on this passage" links here)."""
        recommendation, access = await services.get_recommendation(db_session, recommendation_id, user)
        if recommendation.merged_into_id is not None:
            return Redirect(f"/recommendations/{recommendation.merged_into_id}", status_code=301)
        kept = {"comment_form": Form(values={"anchor": about[:60]})} if about else {}
        context = await page_context(db_session, recommendation, access, **kept)
        return Template("recommendations/recommendation.html", context=context)

    @post("/privacy", name="confirm_privacy", guards=[requires_user])
    async def confirm_privacy(
        self, request: Request, db_session: DbSession, me: SignedIn, recommendation_id: FromPath[UUID]
    ) -> Redirect:
        """Authors confirm flagged passages are not personal data (or remove them by editing)."""
        recommendation, access, allowed = await editing.load_for_writing(db_session, recommendation_id, me)
        require(allowed.is_coauthor or access.is_facilitator)
        data = await request.form()
        chosen = set(data.getall("fingerprint")) if "fingerprint" in data else set()
        available = await translations.translations_of(db_session, recommendation.id)
        findings = privacy.find_personal_data(translations.privacy_texts(recommendation, available))
        known = {finding.fingerprint for finding in findings}
        recommendation.privacy_confirmations = sorted(set(recommendation.privacy_confirmations) | (chosen & known))
        notify(request, _("Thank you: the passages you confirmed will not be flagged again."))
        return see_other(f"/recommendations/{recommendation_id}#privacy")


class AxisController(Controller):
    path = "/cycles/{slug:str}/axes/{code:str}"

    @get(name="axis")
    async def axis_page(
        self,
        request: HTMXRequest,
        db_session: DbSession,
        access: CycleInReach,
        code: FromPath[str],
        page: FromQuery[int] = 1,
        group: FromQuery[str] = "",
        status: FromQuery[str] = "",
        language: FromQuery[str] = "",
        order: FromQuery[str] = "",
    ) -> Template:
        axis = cycles.find_axis(access, code)
        raw = {"group": group, "status": status, "language": language, "order": order}
        context = {
            "access": access,
            "axis": axis,
            "listed": await listing.axis_list(db_session, access, axis, raw, page=page),
            "order_labels": listing.order_labels(),
            "statuses": services.visible_statuses(access),
            "can_create": can_create(access),
        }
        htmx = request.htmx
        partial = htmx and not htmx.history_restore_request
        return Template("recommendations/_axis_list.html" if partial else "recommendations/axis.html", context=context)


recommendation_routes = [RecommendationController, AxisController]
