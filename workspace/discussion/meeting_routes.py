"""Pages of a working group's meetings."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from workspace.accounts.guards import CurrentUser, requires_user, signed_in
from workspace.core import submissions
from workspace.core.forms import Form, FormError
from workspace.core.i18n import gettext as _
from workspace.core.web import DbSession, notify, see_other
from workspace.cycles import services as cycles
from workspace.cycles.access import CycleAccess, require
from workspace.cycles.models import Meeting, WorkingGroup
from workspace.discussion import meetings


async def _form_context(
    db_session: Any, group: WorkingGroup, access: CycleAccess, form: Form, chosen: set[str]
) -> dict:  # type: ignore[type-arg]
    return {"group": group, "access": access, "form": form, "chosen": chosen, "kinds": meetings.KIND_LABELS,
            "candidates": await meetings.group_recommendations(db_session, group)}  # fmt: skip


@get("/groups/{group_id:uuid}/meetings", name="meetings", guards=[requires_user])
async def meetings_page(db_session: DbSession, user: CurrentUser, group_id: FromPath[UUID]) -> Template:
    group, access = await cycles.get_group(db_session, group_id, user)
    return Template("discussion/meetings.html", context={
        "group": group, "access": access, "meetings": await meetings.group_meetings(db_session, group),
        "kinds": meetings.KIND_LABELS, "may_record": meetings.may_record(access, group)})  # fmt: skip


@get("/groups/{group_id:uuid}/meetings/new", guards=[requires_user])
async def new_meeting(db_session: DbSession, user: CurrentUser, group_id: FromPath[UUID]) -> Template:
    group, access = await cycles.get_group(db_session, group_id, user)
    require(meetings.may_record(access, group))
    form = Form(values={"kind": "meeting"})
    return Template("discussion/meeting_form.html", context=await _form_context(db_session, group, access, form, set()))


@post("/groups/{group_id:uuid}/meetings", guards=[requires_user])
async def record_meeting(request: Request, db_session: DbSession, group_id: FromPath[UUID]) -> Template | Redirect:
    group, access = await cycles.get_group(db_session, group_id, signed_in(request))
    data = await request.form()
    form = Form.from_data({key: value for key, value in data.items() if key != "recommendations"})
    chosen = set(data.getall("recommendations")) if "recommendations" in data else set()
    once = await submissions.claim(db_session, form, access.user.id if access.user else None,
                                   fallback=f"/groups/{group.id}/meetings")  # fmt: skip
    try:
        meeting = await meetings.record(db_session, access, group, form, chosen)
    except FormError as error:
        context = await _form_context(db_session, group, access, error.form, chosen)
        return Template("discussion/meeting_form.html", context=context, status_code=400)
    await submissions.settle(db_session, once, f"/meetings/{meeting.id}")
    notify(request, _("The meeting is recorded."))
    return see_other(f"/meetings/{meeting.id}")


@get("/meetings/{meeting_id:uuid}", guards=[requires_user])
async def meeting_page(db_session: DbSession, user: CurrentUser, meeting_id: FromPath[UUID]) -> Template:
    meeting = await db_session.get(Meeting, meeting_id)
    require(meeting is not None)
    assert meeting is not None
    group, access = await cycles.get_group(db_session, meeting.group_id, user)
    return Template("discussion/meeting.html", context={
        "meeting": meeting, "group": group, "access": access, "kinds": meetings.KIND_LABELS,
        "recommendations": await meetings.discussed(db_session, meeting)})  # fmt: skip


meeting_routes = [meetings_page, new_meeting, record_meeting, meeting_page]
