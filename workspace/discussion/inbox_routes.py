"""The inbox and the notification settings."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from workspace.accounts.guards import SignedIn, requires_user
from workspace.core.i18n import gettext as _
from workspace.core.web import DbSession, notify, safe_next, see_other
from workspace.discussion import notifications


class InboxController(Controller):
    path = "/inbox"
    guards = [requires_user]

    @get(name="inbox")
    async def inbox_page(self, db_session: DbSession, me: SignedIn) -> Template:
        items = await notifications.inbox(db_session, me)
        context = {
            "items": items,
            "names": await notifications.current_names(db_session, items),
            "describe": notifications.describe,
        }
        return Template("discussion/inbox.html", context=context)

    @post("/read", name="inbox_read")
    async def read_all(self, request: Request, db_session: DbSession, me: SignedIn) -> Redirect:
        await notifications.mark_read(db_session, me)
        notify(request, _("Everything in your inbox is marked as read."))
        return see_other("/inbox")

    @post("/{notification_id:uuid}/open", name="open_notification")
    async def open_notification(self, db_session: DbSession, me: SignedIn, notification_id: FromPath[UUID]) -> Redirect:
        """Mark it read and go where it points (always a path on this site)."""
        item = await notifications.find(db_session, me, notification_id)
        if item is None:
            return see_other("/inbox")
        await notifications.mark_read(db_session, me, notification_id)
        return see_other(safe_next(item.link, "/inbox"))


class NotificationSettingsController(Controller):
    path = "/account/notifications"
    guards = [requires_user]

    @get(name="notification_settings")
    async def settings_page(self, db_session: DbSession, me: SignedIn) -> Template:
        preference = await notifications.preference(db_session, me)
        return Template("discussion/settings.html", context={"kinds": notifications.KINDS, "preference": preference})

    @post(name="notification_settings_post")
    async def save_settings(self, request: Request, db_session: DbSession, me: SignedIn) -> Redirect:
        data = await request.form()
        in_inbox = set(data.getall("inbox")) if "inbox" in data else set()
        by_email = set(data.getall("email")) if "email" in data else set()
        await notifications.save_preference(db_session, me, in_inbox, by_email)
        notify(request, _("Your notification settings are saved."))
        return see_other("/account/notifications")


inbox_routes = [InboxController, NotificationSettingsController]
