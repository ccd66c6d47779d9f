"""Invitations into a cycle, and the admin's page where cycles are made."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from workspace.accounts.guards import CurrentUser, SignedIn, requires_admin, requires_user
from workspace.accounts.models import Language, MembershipRole
from workspace.core import submissions
from workspace.core.forms import Form, FormError
from workspace.core.i18n import current_language
from workspace.core.i18n import gettext as _
from workspace.core.mail import send_after_response
from workspace.core.web import DbSession, notify, read_form, see_other
from workspace.cycles import axes, groups, invitation_mail, invitations, services
from workspace.cycles.access import CycleAccess, require
from workspace.cycles.dependencies import CycleInReach
from workspace.cycles.models import WorkingGroup


class InvitationsController(Controller):
    """Facilitators (and admins) invite people into the cycle; the link is shown to copy."""

    path = "/cycles/{slug:str}/invitations"
    guards = [requires_user]

    @get(name="invitations")
    async def invitations_page(self, request: Request, db_session: DbSession, access: CycleInReach) -> Template:
        require(access.can_invite)
        issued = _take_issued(request, access.cycle.id)
        remembered = issued.get("form", {}) if issued else {}
        form = Form(
            values={
                "role": remembered.get("role", MembershipRole.MEMBER.value),
                "group_id": remembered.get("group_id", ""),
                "language": remembered.get("language", current_language.get()),
            }
        )
        context = await _invitations_context(db_session, access, form)
        invitation = next((i for i in context["pending"] if issued and str(i.id) == issued.get("id")), None)
        if issued and invitation is not None:
            context |= {
                "issued_link": issued["link"],
                "issued_open": invitations.is_open_link(invitation),
                "issued": invitation,
            }
        return Template("cycles/invitations.html", context=context)

    @post(name="create_invitation")
    async def create_invitation(
        self, request: Request, db_session: DbSession, me: SignedIn, access: CycleInReach
    ) -> Template | Redirect:
        require(access.can_invite)
        form = await read_form(request)
        page = request.app.route_reverse("invitations", slug=access.cycle.slug)
        once = await submissions.claim(db_session, form, me.id, fallback=page)
        try:
            issued = await invitations.create_invitation(db_session, access, form, me)
        except FormError as error:
            context = await _invitations_context(db_session, access, error.form)
            return Template("cycles/invitations.html", context=context, status_code=400)
        await submissions.settle(db_session, once, page)
        link = f"{request.app.state.settings.base_url}/signup/{issued.token}"
        _remember_issued(request, issued, link, form)
        answer = see_other(page)
        if issued.invitation.email:
            groups = await services.cycle_groups(db_session, access.cycle)
            group = next((g for g, _count in groups if g.id == issued.invitation.group_id), None)
            subject, body = invitation_mail.compose(
                issued.invitation, cycle=access.cycle, group=group, inviter=me, link=link
            )
            answer.background = send_after_response(
                request,
                to=issued.invitation.email,
                subject=subject,
                body=body,
                about=invitation_mail.about(issued.invitation.id),
            )
        return answer


ISSUED_KEY = "invitation_issued"


def _remember_issued(request: Request, issued: invitations.IssuedInvitation, link: str, form: Form) -> None:
    """The new link, for the invitations page of this cycle the inviter is sent to, where it is shown once:
    it waits in the server-side session (the invitation table keeps only the token's hash), never in an
    address, and is gone from the session once shown."""
    session = request.scope.get("session")
    kept = dict(session) if isinstance(session, dict) else {}
    kept[ISSUED_KEY] = {
        "cycle": str(issued.invitation.cycle_id),
        "id": str(issued.invitation.id),
        "link": link,
        "form": {name: form.get(name) for name in ("role", "group_id", "language")},
    }
    request.set_session(kept)


def _take_issued(request: Request, cycle_id: UUID) -> dict[str, Any] | None:
    """The link waiting for this cycle's invitations page; another cycle's page leaves it waiting."""
    session = request.scope.get("session")
    if not isinstance(session, dict) or ISSUED_KEY not in session:
        return None
    issued = session[ISSUED_KEY]
    if not isinstance(issued, dict) or issued.get("cycle") != str(cycle_id):
        return None
    request.set_session({key: value for key, value in session.items() if key != ISSUED_KEY})
    return issued


async def _invitations_context(db_session: DbSession, access: CycleAccess, form: Form) -> dict[str, Any]:
    roles = [MembershipRole.MEMBER, MembershipRole.AUTHORITY]
    if access.is_facilitator:
        roles.insert(1, MembershipRole.FACILITATOR)
    groups: list[WorkingGroup] = [group for group, _count in await services.cycle_groups(db_session, access.cycle)]
    return {
        "access": access,
        "groups": groups,
        "roles": roles,
        "languages": list(Language),
        "form": form,
        "pending": await invitations.pending_invitations(db_session, access.cycle),
        "issued_link": None,
    }


class WorkingGroupsController(Controller):
    """A facilitator's page for the cycle's working groups: add, rename, archive, restore, and move members
    between them."""

    path = "/cycles/{slug:str}/working-groups"
    guards = [requires_user]

    @get(name="working_groups")
    async def working_groups_page(self, db_session: DbSession, access: CycleInReach) -> Template:
        require(access.is_facilitator)
        return Template("cycles/working_groups.html", context=await _groups_context(db_session, access))

    @post(name="add_working_group")
    async def add_group(
        self, request: Request, db_session: DbSession, me: SignedIn, access: CycleInReach
    ) -> Template | Redirect:
        require(access.is_facilitator)
        form = await read_form(request)
        try:
            group = await groups.add_group(db_session, access, form, me)
        except FormError as error:
            context = await _groups_context(db_session, access, new_form=error.form)
            return Template("cycles/working_groups.html", context=context, status_code=400)
        notify(request, _("The working group “%(name)s” has been added.", name=group.name))
        return see_other(request.app.route_reverse("working_groups", slug=access.cycle.slug))

    @post("/{group_id:uuid}", name="rename_working_group")
    async def rename_group(
        self, request: Request, db_session: DbSession, me: SignedIn, access: CycleInReach, group_id: FromPath[UUID]
    ) -> Template | Redirect:
        require(access.is_facilitator)
        form = await read_form(request)
        try:
            group = await groups.rename_group(db_session, access, group_id, form, me)
        except FormError as error:
            context = await _groups_context(db_session, access, rename_form=error.form)
            return Template("cycles/working_groups.html", context=context, status_code=400)
        notify(request, _("The working group is now called “%(name)s”.", name=group.name))
        return see_other(request.app.route_reverse("working_groups", slug=access.cycle.slug))

    @post("/{group_id:uuid}/archive", name="archive_working_group")
    async def archive_group(
        self, request: Request, db_session: DbSession, me: SignedIn, access: CycleInReach, group_id: FromPath[UUID]
    ) -> Redirect:
        require(access.is_facilitator)
        group = await groups.set_archived(db_session, access, group_id, True, me)
        notify(request, _("The working group “%(name)s” is archived.", name=group.name))
        return see_other(request.app.route_reverse("working_groups", slug=access.cycle.slug) + "#archived")

    @post("/{group_id:uuid}/restore", name="restore_working_group")
    async def restore_group(
        self, request: Request, db_session: DbSession, me: SignedIn, access: CycleInReach, group_id: FromPath[UUID]
    ) -> Redirect:
        require(access.is_facilitator)
        group = await groups.set_archived(db_session, access, group_id, False, me)
        notify(request, _("The working group “%(name)s” is active again.", name=group.name))
        return see_other(request.app.route_reverse("working_groups", slug=access.cycle.slug) + "#groups")

    @post("/members/{membership_id:uuid}", name="move_member")
    async def move_member(
        self,
        request: Request,
        db_session: DbSession,
        me: SignedIn,
        access: CycleInReach,
        membership_id: FromPath[UUID],
    ) -> Template | Redirect:
        require(access.is_facilitator)
        form = await read_form(request)
        try:
            person, group = await groups.move_member(db_session, access, membership_id, form, me)
        except FormError as error:
            context = await _groups_context(db_session, access, move_form=error.form, moving=membership_id)
            return Template("cycles/working_groups.html", context=context, status_code=400)
        if group is None:
            notify(request, _("%(name)s is in no working group now.", name=person.display_name))
        else:
            notify(request, _("%(name)s is now in “%(group)s”.", name=person.display_name, group=group.name))
        return see_other(request.app.route_reverse("working_groups", slug=access.cycle.slug) + "#members")


async def _groups_context(
    db_session: DbSession,
    access: CycleAccess,
    *,
    new_form: Form | None = None,
    rename_form: Form | None = None,
    move_form: Form | None = None,
    moving: UUID | None = None,
) -> dict[str, Any]:
    every = await services.cycle_groups(db_session, access.cycle, with_archived=True)
    return {
        "access": access,
        "groups": [(group, members) for group, members in every if not group.is_archived],
        "archived": [(group, members) for group, members in every if group.is_archived],
        "seats": await groups.seats(db_session, access),
        "new_form": new_form or Form(),
        "rename_form": rename_form,
        "move_form": move_form,
        "moving": moving,
    }


class AxesController(Controller):
    """A facilitator's page for the cycle's work axes: add one, rename one, until the dossier is published."""

    path = "/cycles/{slug:str}/axes"
    guards = [requires_user]

    @get(name="axes")
    async def axes_page(self, access: CycleInReach) -> Template:
        require(axes.may_change(access))
        return Template("cycles/axes.html", context=_axes_context(access))

    @post(name="add_axis")
    async def add_axis(
        self, request: Request, db_session: DbSession, me: SignedIn, access: CycleInReach
    ) -> Template | Redirect:
        require(axes.may_change(access))
        form = await read_form(request)
        try:
            axis = await axes.add_axis(db_session, access, form, me)
        except FormError as error:
            return Template("cycles/axes.html", context=_axes_context(access, new_form=error.form), status_code=400)
        notify(request, _("The axis “%(name)s” has been added.", name=axis.name(current_language.get())))
        return see_other(request.app.route_reverse("axes", slug=access.cycle.slug))

    @post("/{code:str}/edit", name="rename_axis")
    async def rename_axis(
        self, request: Request, db_session: DbSession, me: SignedIn, access: CycleInReach, code: FromPath[str]
    ) -> Template | Redirect:
        require(axes.may_change(access))
        axis = services.find_axis(access, code)
        form = await read_form(request)
        try:
            await axes.rename_axis(db_session, access, axis, form, me)
        except FormError as error:
            context = _axes_context(access, edit_form=error.form, editing=axis.code)
            return Template("cycles/axes.html", context=context, status_code=400)
        notify(request, _("The axis “%(name)s” has been saved.", name=axis.name(current_language.get())))
        return see_other(request.app.route_reverse("axes", slug=access.cycle.slug) + f"#axis-{axis.code}")


def _axes_context(
    access: CycleAccess, *, new_form: Form | None = None, edit_form: Form | None = None, editing: str = ""
) -> dict[str, Any]:
    forms = {}
    for axis in access.cycle.axes:
        if axis.code == editing and edit_form is not None:
            forms[axis.code] = edit_form
        else:
            forms[axis.code] = Form(values={name: getattr(axis, name) for name in axes.WORDS})
    return {"access": access, "forms": forms, "new_form": new_form or Form()}


class AdminController(Controller):
    """The instance's admin: every cycle, and a new one."""

    path = "/admin"
    guards = [requires_admin]

    @get(name="admin")
    async def admin_page(self, db_session: DbSession, user: CurrentUser) -> Template:
        cycles = await services.visible_cycles(db_session, user)
        return Template("admin/admin.html", context={"cycles": cycles, "form": Form()})

    @post("/cycles", name="create_cycle")
    async def create_cycle(self, request: Request, db_session: DbSession, me: SignedIn) -> Template | Redirect:
        form = await read_form(request)
        once = await submissions.claim(db_session, form, me.id, fallback="/admin")
        try:
            cycle = await services.create_cycle(db_session, form, me)
        except FormError as error:
            cycles = await services.visible_cycles(db_session, me)
            return Template("admin/admin.html", context={"cycles": cycles, "form": error.form}, status_code=400)
        await submissions.settle(db_session, once, f"/cycles/{cycle.slug}")
        notify(request, _("The cycle has been created with its three axes."))
        return see_other(f"/cycles/{cycle.slug}")


cycle_routes = [InvitationsController, WorkingGroupsController, AxesController, AdminController]
