"""Home, cycle, axis and working-group pages; the admin's cycle creation and invitations."""

from __future__ import annotations

from uuid import UUID

from litestar import Request, get, post
from litestar.background_tasks import BackgroundTask, BackgroundTasks
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from workspace.accounts.guards import CurrentUser, requires_admin, requires_user, signed_in
from workspace.accounts.models import Language, MembershipRole
from workspace.core import events, submissions
from workspace.core.forms import Form, FormError
from workspace.core.i18n import current_language
from workspace.core.i18n import gettext as _
from workspace.core.mail import send_after_response
from workspace.core.web import DbSession, notify, read_form, see_other
from workspace.cycles import invitation_mail, invitations, services
from workspace.cycles.access import require
from workspace.cycles.models import Phase
from workspace.discussion import notifications
from workspace.recommendations import services as recommendations
from workspace.recommendations.rules import can_create
from workspace.voting import services as voting


@get("/", name="home")
async def home(db_session: DbSession, user: CurrentUser) -> Template:
    access = await services.current_cycle(db_session, user)
    counts = await recommendations.axis_counts(db_session, access) if access else {}
    others = [c for c in await services.visible_cycles(db_session, user) if not access or c.id != access.cycle.id]
    return Template("home.html", context={"access": access, "counts": counts, "other_cycles": others})


@get("/cycles/{slug:str}", name="cycle")
async def cycle_page(db_session: DbSession, user: CurrentUser, slug: FromPath[str]) -> Template:
    access = await services.get_cycle(db_session, slug, user)
    counts = await recommendations.axis_counts(db_session, access)
    groups = await services.cycle_groups(db_session, access.cycle) if access.is_participant else []
    context = {
        "access": access,
        "counts": counts,
        "groups": groups,
        "phases": list(Phase),
        "next_phase": services.next_phase(access.cycle),
    }
    return Template("cycles/cycle.html", context=context)


@get("/cycles/{slug:str}/axes/{code:str}", name="axis")
async def axis_page(
    request: Request,
    db_session: DbSession,
    user: CurrentUser,
    slug: FromPath[str],
    code: FromPath[str],
    page: FromQuery[int] = 1,
) -> Template:
    access = await services.get_cycle(db_session, slug, user)
    axis = services.find_axis(access, code)
    items, page_info = await recommendations.axis_recommendations(db_session, access, axis, page=page)
    context = {
        "access": access,
        "axis": axis,
        "recommendations": items,
        "page": page_info,
        "can_create": can_create(access),
    }
    if request.htmx:  # type: ignore[attr-defined]
        return Template("cycles/_axis_list.html", context=context)
    return Template("cycles/axis.html", context=context)


@get("/groups/{group_id:uuid}", name="group", guards=[requires_user])
async def group_page(db_session: DbSession, user: CurrentUser, group_id: FromPath[UUID]) -> Template:
    group, access = await services.get_group(db_session, group_id, user)
    members = await services.group_members(db_session, group)
    context = {"group": group, "access": access, "members": members,
               "can_write": can_create(access) and access.in_group(group.id)}  # fmt: skip
    return Template("cycles/group.html", context=context)


def _invitation_context(access: services.CycleAccess, groups: list, form: Form) -> dict:  # type: ignore[type-arg]
    roles = [MembershipRole.MEMBER, MembershipRole.AUTHORITY]
    if access.is_facilitator:
        roles.insert(1, MembershipRole.FACILITATOR)
    return {"access": access, "groups": groups, "roles": roles, "form": form, "languages": list(Language)}


@get("/cycles/{slug:str}/invitations", name="invitations", guards=[requires_user])
async def invitations_page(request: Request, db_session: DbSession, slug: FromPath[str]) -> Template:
    access = await services.get_cycle(db_session, slug, signed_in(request))
    require(access.can_invite)
    groups = [group for group, _count in await services.cycle_groups(db_session, access.cycle)]
    pending = await invitations.pending_invitations(db_session, access.cycle)
    form = Form(values={"role": MembershipRole.MEMBER.value, "language": current_language.get()})
    context = {**_invitation_context(access, groups, form), "pending": pending, "issued_link": None}
    return Template("cycles/invitations.html", context=context)


@post("/cycles/{slug:str}/invitations", guards=[requires_user])
async def create_invitation(request: Request, db_session: DbSession, slug: FromPath[str]) -> Template:
    user = signed_in(request)
    access = await services.get_cycle(db_session, slug, user)
    require(access.can_invite)
    groups = [group for group, _count in await services.cycle_groups(db_session, access.cycle)]
    form = await read_form(request)
    try:
        issued = await invitations.create_invitation(db_session, access, form, user)
    except FormError as error:
        pending = await invitations.pending_invitations(db_session, access.cycle)
        context = {**_invitation_context(access, groups, error.form), "pending": pending, "issued_link": None}
        return Template("cycles/invitations.html", context=context, status_code=400)
    link = f"{request.app.state.settings.base_url}/signup/{issued.token}"
    pending = await invitations.pending_invitations(db_session, access.cycle)
    fresh = Form(values={"role": form.get("role"), "group_id": form.get("group_id"), "language": form.get("language")})
    context = {
        **_invitation_context(access, groups, fresh),
        "pending": pending,
        "issued_link": link,
        "issued_open": invitations.is_open_link(issued.invitation),
        "issued": issued.invitation,
    }
    answer = Template("cycles/invitations.html", context=context, status_code=201)
    if issued.invitation.email:
        group = next((found for found in groups if found.id == issued.invitation.group_id), None)
        subject, body = invitation_mail.compose(
            issued.invitation, cycle=access.cycle, group=group, inviter=user, link=link
        )
        answer.background = send_after_response(
            request,
            to=issued.invitation.email,
            subject=subject,
            body=body,
            about=invitation_mail.about(issued.invitation.id),
        )
    return answer


@post("/cycles/{slug:str}/phase", guards=[requires_user])
async def advance_phase(request: Request, db_session: DbSession, slug: FromPath[str]) -> Redirect:
    """Facilitators move the cycle on; closing the vote gives each recommendation its status."""
    user = signed_in(request)
    access = await services.get_cycle(db_session, slug, user)
    require(access.is_facilitator)
    form = await read_form(request)
    closing = access.cycle.phase == Phase.VOTING
    try:
        phase = await services.advance_phase(db_session, access, form.get("phase"), user)
    except services.PhaseConflict:
        notify(request, _("The cycle had already moved on: nothing was changed. Check its phase below."), "error")
        return see_other(f"/cycles/{slug}#phases")
    outgoing = await notifications.on_phase(db_session, access.cycle, user.id)
    settings = request.app.state.settings
    background = BackgroundTasks([
        events.after_response(request, events.votes_channel(access.cycle.id), "phase"),
        BackgroundTask(notifications.send_emails, request.app.state.mailer, settings.base_url, outgoing),
    ])  # fmt: skip
    if closing:
        verdicts = await voting.close_vote(db_session, access.cycle, user)
        adopted = sum(1 for verdict in verdicts.values() if verdict.adopted)
        notify(request, _("The vote is closed: %(adopted)s adopted, %(rejected)s not adopted.",
                          adopted=adopted, rejected=len(verdicts) - adopted))  # fmt: skip
    elif phase == Phase.VOTING:
        notify(request, _("The vote is open. The voting rules are now frozen."))
    else:
        notify(request, _("The cycle has moved on to the next phase."))
    redirect = see_other(f"/cycles/{slug}#phases")
    redirect.background = background
    return redirect


@get("/admin", name="admin", guards=[requires_admin])
async def admin_page(db_session: DbSession, user: CurrentUser) -> Template:
    cycles = await services.visible_cycles(db_session, user)
    return Template("admin/admin.html", context={"cycles": cycles, "form": Form()})


@post("/admin/cycles", guards=[requires_admin])
async def create_cycle(request: Request, db_session: DbSession) -> Template | Redirect:
    user = signed_in(request)
    form = await read_form(request)
    once = await submissions.claim(db_session, form, user.id, fallback="/admin")
    try:
        cycle = await services.create_cycle(db_session, form, user)
    except FormError as error:
        cycles = await services.visible_cycles(db_session, user)
        return Template("admin/admin.html", context={"cycles": cycles, "form": error.form}, status_code=400)
    await submissions.settle(db_session, once, f"/cycles/{cycle.slug}")
    notify(request, _("The cycle has been created with its three axes."))
    return see_other(f"/cycles/{cycle.slug}")


cycle_routes = [
    home,
    cycle_page,
    axis_page,
    group_page,
    invitations_page,
    create_invitation,
    admin_page,
    create_cycle,
    advance_phase,
]
