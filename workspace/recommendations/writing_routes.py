"""Writing recommendations: new, edit (with merge and conflicts), preview, history, compare, restore."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler
from sqlalchemy.ext.asyncio import AsyncSession

from workspace.accounts.guards import CurrentUser, SignedIn, requires_user
from workspace.accounts.models import User
from workspace.core import submissions
from workspace.core.forms import Form, FormError
from workspace.core.i18n import gettext as _
from workspace.core.inputs import MAX_NUMBER, NumberInPath, NumberInQuery
from workspace.core.web import DbSession, found, notify, read_form, see_other
from workspace.cycles import services as cycles
from workspace.cycles.access import require
from workspace.cycles.dependencies import CycleInReach
from workspace.recommendations import editing, privacy, services
from workspace.recommendations.content import (
    FIELD_HINTS,
    FIELD_LABELS,
    REVISION_FIELDS,
    content_of,
    revision_content,
)
from workspace.recommendations.diff import changed, word_diff
from workspace.recommendations.models import TEXT_FIELDS, ActionLevel
from workspace.recommendations.preview import preview_of
from workspace.recommendations.rules import can_create, rights


def _form_context(**extra: Any) -> dict[str, Any]:
    return {
        "labels": FIELD_LABELS,
        "hints": FIELD_HINTS,
        "levels": list(ActionLevel),
        "privacy_labels": privacy.KIND_LABELS,
        **extra,
    }


def _flags(form: Form, confirmed: list[str] | None = None) -> dict[str, list[privacy.Finding]]:
    """Likely personal data in the text being edited, by field, for the author to remove or confirm."""
    findings = privacy.unconfirmed(
        privacy.find_personal_data({name: form.get(name) for name in TEXT_FIELDS}), confirmed or []
    )
    by_field: dict[str, list[privacy.Finding]] = {}
    for finding in findings:
        by_field.setdefault(finding.field, []).append(finding)
    return by_field


class NewRecommendationController(Controller):
    path = "/cycles/{slug:str}/axes/{code:str}/new"
    guards = [requires_user]

    @get(name="new_recommendation")
    async def new_page(
        self, db_session: DbSession, access: CycleInReach, code: FromPath[str], group: FromQuery[str] = ""
    ) -> Template:
        """`group`: the working group whose page the person came from, chosen in advance if it is one of theirs."""
        axis = cycles.find_axis(access, code)
        require(can_create(access))
        groups = await editing.drafting_groups(db_session, access)
        form = Form(values={"action_level": ActionLevel.LOCAL.value})
        if group in {str(mine.id) for mine in groups}:
            form.values["group"] = group
        return Template(
            "recommendations/new.html", context=_form_context(access=access, axis=axis, form=form, groups=groups)
        )

    @post(name="create_recommendation")
    async def create(
        self, request: Request, db_session: DbSession, me: SignedIn, access: CycleInReach, code: FromPath[str]
    ) -> Template | Redirect:
        axis = cycles.find_axis(access, code)
        form = await read_form(request)
        context = _form_context(access=access, axis=axis)
        if form.get("intent") == "preview":
            context.update(groups=await editing.drafting_groups(db_session, access), preview=preview_of(form))
            return Template(
                "recommendations/new.html", context={**context, "form": form, "privacy_flags": _flags(form)}
            )
        once = await submissions.claim(db_session, form, me.id, fallback=f"/cycles/{access.cycle.slug}/axes/{code}")
        try:
            recommendation = await editing.create_recommendation(db_session, access, axis, form, me)
        except FormError as error:
            context.update(groups=await editing.drafting_groups(db_session, access))
            context.update(form=error.form, privacy_flags=_flags(error.form))
            return Template("recommendations/new.html", context=context, status_code=400)
        await submissions.settle(db_session, once, f"/recommendations/{recommendation.id}")
        notify(request, _("Your recommendation is saved as a draft. Submit it when it is ready."))
        _warn_about_personal_data(request, form, recommendation.privacy_confirmations)
        return see_other(f"/recommendations/{recommendation.id}")


@post("/recommendations/preview", name="preview", guards=[requires_user])
async def preview(request: Request) -> Template:
    """The whole text previewed, for htmx to swap into the form (the form's own "Preview" submit does the
    same without JavaScript)."""
    form = await read_form(request)
    return Template("recommendations/_preview.html", context={"preview": preview_of(form)})


class WritingController(Controller):
    """Editing a recommendation, its history and revisions, its status and its co-authors."""

    path = "/recommendations/{recommendation_id:uuid}"

    @get("/edit", name="edit_recommendation", guards=[requires_user])
    async def edit_page(self, db_session: DbSession, me: SignedIn, recommendation_id: FromPath[UUID]) -> Template:
        context = await _edit_context(db_session, recommendation_id, me)
        recommendation = context["recommendation"]
        form = Form(values={**content_of(recommendation), "base_revision": str(recommendation.revision_number)})
        return _edit_page(context, form)

    @post("/edit", name="edit_recommendation_post", guards=[requires_user])
    async def edit(
        self, request: Request, db_session: DbSession, me: SignedIn, recommendation_id: FromPath[UUID]
    ) -> Template | Redirect:
        form = await read_form(request)
        if form.get("intent") == "preview":
            context = await _edit_context(db_session, recommendation_id, me)
            return _edit_page(context, form, preview=preview_of(form))
        try:
            outcome = await editing.save(db_session, recommendation_id, form, me)
        except FormError as error:
            context = await _edit_context(db_session, recommendation_id, me)
            return _edit_page(context, error.form, status_code=400)
        if outcome.conflicts:
            context = await _edit_context(db_session, recommendation_id, me)
            form.values["base_revision"] = str(outcome.current_revision)
            conflicts = {conflict.name: conflict for conflict in outcome.conflicts}
            return _edit_page(context, form, status_code=409, conflicts=conflicts)
        notify(request, *_saved_message(outcome))
        _warn_about_personal_data(request, form, outcome.recommendation.privacy_confirmations)
        return see_other(f"/recommendations/{recommendation_id}")

    @get("/history", name="history")
    async def history_page(
        self, db_session: DbSession, user: CurrentUser, recommendation_id: FromPath[UUID]
    ) -> Template:
        recommendation, access = await services.get_recommendation(db_session, recommendation_id, user)
        require(access.is_participant)
        revisions = await editing.history(db_session, recommendation.id)
        coauthor_ids = frozenset(coauthor.user_id for coauthor in recommendation.coauthors)
        allowed = rights(recommendation, access, coauthor_ids)
        context = {"recommendation": recommendation, "access": access, "revisions": revisions, "rights": allowed}
        return Template("recommendations/history.html", context=context)

    @get("/compare", name="compare")
    async def compare_page(
        self,
        db_session: DbSession,
        user: CurrentUser,
        recommendation_id: FromPath[UUID],
        from_revision: NumberInQuery = 1,
        to_revision: Annotated[int, QueryParameter(ge=0, le=MAX_NUMBER)] = 0,
    ) -> Template:
        recommendation, access = await services.get_recommendation(db_session, recommendation_id, user)
        require(access.is_participant)
        to_number = to_revision or recommendation.revision_number
        older = found(await editing.revision(db_session, recommendation.id, from_revision))
        newer = found(await editing.revision(db_session, recommendation.id, to_number))
        before, after = revision_content(older.content), revision_content(newer.content)
        fields = [
            {"name": name, "label": FIELD_LABELS[name], "diff": word_diff(before[name], after[name])}
            for name in REVISION_FIELDS
            if changed(before[name], after[name])
        ]
        context = {"recommendation": recommendation, "access": access, "older": older, "newer": newer, "fields": fields}
        return Template("recommendations/compare.html", context=context)

    @post("/revisions/{number:int}/restore", name="restore_revision", guards=[requires_user])
    async def restore(
        self,
        request: Request,
        db_session: DbSession,
        me: SignedIn,
        recommendation_id: FromPath[UUID],
        number: NumberInPath,
    ) -> Redirect:
        recommendation = await editing.restore(db_session, recommendation_id, number, me)
        message = _("Revision %(old)s restored as revision %(new)s.", old=number, new=recommendation.revision_number)
        notify(request, message)
        return see_other(f"/recommendations/{recommendation_id}")

    @post("/status", name="change_status", guards=[requires_user])
    async def change_status(
        self, request: Request, db_session: DbSession, me: SignedIn, recommendation_id: FromPath[UUID]
    ) -> Redirect:
        form = await read_form(request)
        await editing.change_status(db_session, recommendation_id, form.get("action"), me)
        messages = {
            "submit": _("The recommendation is submitted to the working group."),
            "withdraw": _("The recommendation is withdrawn."),
            "reopen": _("The recommendation is back to draft."),
        }
        notify(request, messages.get(form.get("action"), ""))
        return see_other(f"/recommendations/{recommendation_id}")

    @post("/coauthors", name="add_coauthor", guards=[requires_user])
    async def add_coauthor(
        self, request: Request, db_session: DbSession, me: SignedIn, recommendation_id: FromPath[UUID]
    ) -> Redirect:
        form = await read_form(request)
        try:
            person = await editing.add_coauthor(db_session, recommendation_id, form.get("user_id"), me)
        except FormError as error:
            notify(request, error.form.errors["user_id"], "error")
            return see_other(f"/recommendations/{recommendation_id}#authors")
        notify(request, _("%(name)s is now a co-author.", name=person.display_name))
        return see_other(f"/recommendations/{recommendation_id}#authors")

    @post("/coauthors/{user_id:uuid}/remove", name="remove_coauthor", guards=[requires_user])
    async def remove_coauthor(
        self,
        request: Request,
        db_session: DbSession,
        me: SignedIn,
        recommendation_id: FromPath[UUID],
        user_id: FromPath[UUID],
    ) -> Redirect:
        await editing.remove_coauthor(db_session, recommendation_id, user_id, me)
        notify(request, _("The co-author has been removed."))
        return see_other(f"/recommendations/{recommendation_id}#authors")


async def _edit_context(db_session: AsyncSession, recommendation_id: UUID, user: User) -> dict[str, Any]:
    recommendation, access, allowed = await editing.load_with_rights(db_session, recommendation_id, user)
    require(allowed.can_edit)
    return _form_context(recommendation=recommendation, access=access, rights=allowed)


def _edit_page(context: dict[str, Any], form: Form, status_code: int = 200, **extra: Any) -> Template:
    flags = _flags(form, context["recommendation"].privacy_confirmations)
    return Template(
        "recommendations/edit.html",
        context={**context, "form": form, "privacy_flags": flags, **extra},
        status_code=status_code,
    )


def _saved_message(outcome: editing.SaveOutcome) -> tuple[str, str]:
    if outcome.unchanged:
        return _("Nothing changed: no new revision was made."), "info"
    if outcome.merged_fields:
        fields = ", ".join(str(FIELD_LABELS[name]) for name in outcome.merged_fields)
        message = _(
            "Saved as revision %(number)s. Someone saved meanwhile; your changes were merged with theirs in: "
            "%(fields)s.",
            number=outcome.current_revision,
            fields=fields,
        )
        return message, "success"
    if outcome.merged:
        message = _(
            "Saved as revision %(number)s. Someone saved meanwhile; your changes were merged with theirs.",
            number=outcome.current_revision,
        )
        return message, "success"
    return _("Saved as revision %(number)s.", number=outcome.current_revision), "success"


def _warn_about_personal_data(request: Request, form: Form, confirmed: list[str]) -> None:
    if _flags(form, confirmed):
        notify(
            request,
            _("Some passages look like personal data (names, addresses, phone numbers…). Check them below."),
            "info",
        )


writing_routes: list[ControllerRouterHandler] = [NewRecommendationController, preview, WritingController]
