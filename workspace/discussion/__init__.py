"""Comments, reports, moderation and notifications."""

from typing import Any

from workspace.accounts.models import User
from workspace.accounts.signals import page_opened
from workspace.core.db import Database
from workspace.discussion.notifications import unread_count


@page_opened.connect
async def _unread_in_the_page_header(user: User, *, db: Database) -> dict[str, Any]:
    async with db.session(write=False) as session:
        return {"unread_notifications": await unread_count(session, user.id)}
