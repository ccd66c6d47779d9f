"""Comments, reports, moderation and notifications."""

from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from workspace.accounts.models import User
from workspace.accounts.signals import page_opened
from workspace.core.db import Database
from workspace.cycles.access import CycleAccess
from workspace.discussion.comments import comment_counts
from workspace.discussion.moderation import open_report_counts
from workspace.discussion.notifications import on_correction, unread_count
from workspace.discussion.search import in_comments
from workspace.discussion.views import discussion_context
from workspace.recommendations.models import Recommendation
from workspace.recommendations.search import Beyond
from workspace.recommendations.signals import list_shown, searched, text_corrected
from workspace.recommendations.signals import page_opened as recommendation_page_opened


@page_opened.connect
async def _unread_in_the_page_header(user: User, *, db: Database) -> dict[str, Any]:
    async with db.session(write=False) as session:
        return {
            "unread_notifications": await unread_count(session, user.id),
            "open_reports": await open_report_counts(session, user),
        }


@recommendation_page_opened.connect
async def _discussion_on_the_recommendation_page(
    recommendation: Recommendation, *, session: AsyncSession, access: CycleAccess, kept: dict[str, Any]
) -> dict[str, Any]:
    return await discussion_context(session, recommendation, access, kept.get("comment_form"))


@list_shown.connect
async def _comments_in_lists_of_recommendations(
    _sender: None, *, session: AsyncSession, ids: list[UUID], **_context: Any
) -> dict[UUID, dict[str, Any]]:
    return {
        recommendation_id: {"comments": count}
        for recommendation_id, count in (await comment_counts(session, ids)).items()
    }


@text_corrected.connect
async def _authors_hear_of_a_correction(
    recommendation: Recommendation, *, session: AsyncSession, actor: User, reason: str
) -> None:
    """Inbox notices only, as for an authority's answer: the mail of a notification kind goes with a comment."""
    await on_correction(session, recommendation, actor, reason)


@searched.connect
def _the_search_looks_in_comments(_sender: None, *, dialect: str, words: list[str]) -> Beyond:
    return in_comments(dialect, words)
