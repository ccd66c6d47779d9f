"""Home, a cycle's front page with its phases, and a working group's page."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.background_tasks import BackgroundTask, BackgroundTasks
from litestar.params import FromPath
from litestar.response import Redirect, Template

from workspace.accounts.guards import CurrentUser, SignedIn, requires_user
from workspace.core import events
from workspace.core.dates import format_typed
from workspace.core.forms import Form, FormError
from workspace.core.i18n import current_language, format_date
from workspace.core.i18n import gettext as _
from workspace.core.web import DbSession, notify, read_form, see_other
from workspace.cycles import services as cycles
from workspace.cycles.access import CycleAccess, require
from workspace.cycles.dependencies import CycleInReach
from workspace.cycles.models import Phase
from workspace.discussion import meetings, notifications
from workspace.home import agenda
from workspace.recommendations import services as recommendations
from workspace.recommendations.rules import can_create, can_import
from workspace.voting import services as voting


class HomeController(Controller):
    @get("/", name="home")
    async def home(self, db_session: DbSession, user: CurrentUser) -> Template:
        access = await cycles.current_cycle(db_session, user)
        counts = await recommendations.axis_counts(db_session, access) if access else {}
        visible = await cycles.visible_cycles(db_session, user)
        others = [cycle for cycle in visible if not access or cycle.id != access.cycle.id]
        needs = await agenda.for_person(db_session, user) if user else None
        context = {
            "access": access,
            "counts": counts,
            "other_cycles": others,
            "agenda": needs,
            "describe": notifications.describe,
            "meeting_kinds": meetings.KIND_LABELS,
        }
        return Template("home/home.html", context=context)


class CycleController(Controller):
    """A cycle's front page: its theme, axes, groups and phases; facilitators move it on from here."""

    path = "/cycles/{slug:str}"

    @get(name="cycle")
    async def cycle_page(self, db_session: DbSession, access: CycleInReach) -> Template:
        return Template("home/cycle.html", context=await _cycle_context(db_session, access))

    @post("/phase/end", name="set_phase_end", guards=[requires_user])
    async def set_phase_end(
        self, request: Request, db_session: DbSession, me: SignedIn, access: CycleInReach
    ) -> Template | Redirect:
        """Facilitators tell everyone when the current phase is planned to end."""
        require(access.is_facilitator)
        form = await read_form(request)
        try:
            ends_on = await cycles.set_phase_end(db_session, access, form, me)
        except FormError as error:
            context = await _cycle_context(db_session, access, end_form=error.form)
            return Template("home/cycle.html", context=context, status_code=400)
        if ends_on is None:
            notify(request, _("The planned end of the phase has been taken away."))
        else:
            notify(request, _("The phase is planned to end on %(date)s.", date=format_date(ends_on)))
        return see_other(request.app.route_reverse("cycle", slug=access.cycle.slug) + "#phases")

    @post("/phase", name="advance_phase", guards=[requires_user])
    async def advance_phase(
        self, request: Request, db_session: DbSession, me: SignedIn, access: CycleInReach
    ) -> Redirect:
        """Facilitators move the cycle on; closing the vote gives each recommendation its status."""
        require(access.is_facilitator)
        form = await read_form(request)
        closing = access.cycle.phase == Phase.VOTING
        try:
            phase = await cycles.advance_phase(db_session, access, form.get("phase"), me)
        except cycles.PhaseConflict:
            notify(request, _("The cycle had already moved on: nothing was changed. Check its phase below."), "error")
            return see_other(f"/cycles/{access.cycle.slug}#phases")
        outgoing = await notifications.on_phase(db_session, access.cycle, me.id)
        settings = request.app.state.settings
        background = BackgroundTasks(
            [
                events.after_response(request, events.votes_channel(access.cycle.id), "phase"),
                BackgroundTask(notifications.send_emails, request.app.state.mailer, settings.base_url, outgoing),
            ]
        )
        if closing:
            await _close_the_vote(request, db_session, access, me)
        elif phase == Phase.VOTING:
            notify(request, _("The vote is open. The voting rules are now frozen."))
        else:
            notify(request, _("The cycle has moved on to the next phase."))
        redirect = see_other(f"/cycles/{access.cycle.slug}#phases")
        redirect.background = background
        return redirect


async def _cycle_context(db_session: DbSession, access: CycleAccess, end_form: Form | None = None) -> dict[str, Any]:
    counts = await recommendations.axis_counts(db_session, access)
    groups = await cycles.cycle_groups(db_session, access.cycle) if access.is_participant else []
    ends_on = access.cycle.phase_ends_on
    return {
        "access": access,
        "phase_dates": await cycles.phase_dates(db_session, access.cycle),
        "counts": counts,
        "groups": groups,
        "phases": list(Phase),
        "next_phase": cycles.next_phase(access.cycle),
        "can_import": can_import(access),
        "end_form": end_form
        or Form(values={"ends_on": format_typed(ends_on, current_language.get()) if ends_on else ""}),
        "typed_date_example": cycles.typed_date_example(),
    }


async def _close_the_vote(request: Request, db_session: DbSession, access: CycleAccess, me: SignedIn) -> None:
    verdicts = await voting.close_vote(db_session, access.cycle, me)
    adopted = sum(1 for verdict in verdicts.values() if verdict.adopted)
    notify(
        request,
        _(
            "The vote is closed: %(adopted)s adopted, %(rejected)s not adopted.",
            adopted=adopted,
            rejected=len(verdicts) - adopted,
        ),
    )


class GroupController(Controller):
    path = "/groups/{group_id:uuid}"
    guards = [requires_user]

    @get(name="group")
    async def group_page(self, db_session: DbSession, user: CurrentUser, group_id: FromPath[UUID]) -> Template:
        group, access = await cycles.get_group(db_session, group_id, user)
        members = await cycles.group_members(db_session, group)
        context = {
            "group": group,
            "access": access,
            "members": members,
            "can_write": can_create(access) and access.in_group(group.id) and not group.is_archived,
        }
        return Template("home/group.html", context=context)


home_routes = [HomeController, CycleController, GroupController]
