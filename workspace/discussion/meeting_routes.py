"""Pages of a working group's meetings."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from workspace.accounts.guards import SignedIn, requires_user
from workspace.core import submissions
from workspace.core.forms import Form, FormError
from workspace.core.i18n import gettext as _
from workspace.core.web import DbSession, found, notify, see_other
from workspace.cycles import services as cycles
from workspace.cycles.access import CycleAccess, require
from workspace.cycles.models import Meeting, WorkingGroup
from workspace.discussion import meetings


class GroupMeetingsController(Controller):
    path = "/groups/{group_id:uuid}/meetings"
    guards = [requires_user]

    @get(name="meetings")
    async def meetings_page(self, db_session: DbSession, me: SignedIn, group_id: FromPath[UUID]) -> Template:
        group, access = await cycles.get_group(db_session, group_id, me)
        context = {
            "group": group,
            "access": access,
            "meetings": await meetings.group_meetings(db_session, group),
            "kinds": meetings.KIND_LABELS,
            "may_record": meetings.may_record(access, group),
        }
        return Template("discussion/meetings.html", context=context)

    @get("/new", name="new_meeting")
    async def new_meeting(self, db_session: DbSession, me: SignedIn, group_id: FromPath[UUID]) -> Template:
        group, access = await cycles.get_group(db_session, group_id, me)
        require(meetings.may_record(access, group))
        context = await _form_context(db_session, group, access, Form(values={"kind": "meeting"}), set())
        return Template("discussion/meeting_form.html", context=context)

    @post(name="record_meeting")
    async def record_meeting(
        self, request: Request, db_session: DbSession, me: SignedIn, group_id: FromPath[UUID]
    ) -> Template | Redirect:
        group, access = await cycles.get_group(db_session, group_id, me)
        data = await request.form()
        form = Form.from_data({key: value for key, value in data.items() if key != "recommendations"})
        chosen = set(data.getall("recommendations")) if "recommendations" in data else set()
        once = await submissions.claim(db_session, form, me.id, fallback=f"/groups/{group.id}/meetings")
        try:
            meeting = await meetings.record(db_session, access, group, form, chosen)
        except FormError as error:
            context = await _form_context(db_session, group, access, error.form, chosen)
            return Template("discussion/meeting_form.html", context=context, status_code=400)
        await submissions.settle(db_session, once, f"/meetings/{meeting.id}")
        notify(request, _("The meeting is recorded."))
        return see_other(f"/meetings/{meeting.id}")


class MeetingController(Controller):
    path = "/meetings/{meeting_id:uuid}"
    guards = [requires_user]

    @get(name="meeting")
    async def meeting_page(self, db_session: DbSession, me: SignedIn, meeting_id: FromPath[UUID]) -> Template:
        meeting = found(await db_session.get(Meeting, meeting_id))
        group, access = await cycles.get_group(db_session, meeting.group_id, me)
        context = {
            "meeting": meeting,
            "group": group,
            "access": access,
            "kinds": meetings.KIND_LABELS,
            "recommendations": await meetings.discussed(db_session, meeting),
        }
        return Template("discussion/meeting.html", context=context)


async def _form_context(
    db_session: AsyncSession, group: WorkingGroup, access: CycleAccess, form: Form, chosen: set[str]
) -> dict[str, Any]:
    return {
        "group": group,
        "access": access,
        "form": form,
        "chosen": chosen,
        "kinds": meetings.KIND_LABELS,
        "candidates": await meetings.group_recommendations(db_session, group),
    }


meeting_routes = [GroupMeetingsController, MeetingController]
