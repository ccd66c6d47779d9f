"""The inbox and the notification settings."""

from __future__ import annotations

from uuid import UUID

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from workspace.accounts.guards import requires_user, signed_in
from workspace.core.i18n import gettext as _
from workspace.core.web import DbSession, notify, safe_next, see_other
from workspace.discussion import notifications


@get("/inbox", name="inbox", guards=[requires_user])
async def inbox_page(request: Request, db_session: DbSession) -> Template:
    user = signed_in(request)
    items = await notifications.inbox(db_session, user)
    names = await notifications.current_names(db_session, items)
    return Template("discussion/inbox.html", context={"items": items, "names": names,
                                                      "describe": notifications.describe})  # fmt: skip


@post("/inbox/read", guards=[requires_user])
async def read_all(request: Request, db_session: DbSession) -> Redirect:
    await notifications.mark_read(db_session, signed_in(request))
    notify(request, _("Everything in your inbox is marked as read."))
    return see_other("/inbox")


@post("/inbox/{notification_id:uuid}/open", guards=[requires_user])
async def open_notification(request: Request, db_session: DbSession, notification_id: FromPath[UUID]) -> Redirect:
    """Mark it read and go where it points (always a path on this site)."""
    user = signed_in(request)
    item = await notifications.find(db_session, user, notification_id)
    if item is None:
        return see_other("/inbox")
    await notifications.mark_read(db_session, user, notification_id)
    return see_other(safe_next(item.link, "/inbox"))


@get("/account/notifications", name="notification_settings", guards=[requires_user])
async def settings_page(request: Request, db_session: DbSession) -> Template:
    preference = await notifications.preference(db_session, signed_in(request))
    return Template("discussion/settings.html", context={"kinds": notifications.KINDS, "preference": preference})


@post("/account/notifications", guards=[requires_user])
async def save_settings(request: Request, db_session: DbSession) -> Redirect:
    data = await request.form()
    in_inbox = set(data.getall("inbox")) if "inbox" in data else set()
    by_email = set(data.getall("email")) if "email" in data else set()
    await notifications.save_preference(db_session, signed_in(request), in_inbox, by_email)
    notify(request, _("Your notification settings are saved."))
    return see_other("/account/notifications")


inbox_routes = [inbox_page, read_all, open_notification, settings_page, save_settings]
