"""Comments: reading a recommendation's discussion as threads."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from workspace.accounts.models import User
from workspace.discussion.models import Comment


@dataclass
class Thread:
    comment: Comment
    replies: list[Thread] = field(default_factory=list)


async def visible_comments(session: AsyncSession, recommendation_id: UUID) -> list[Thread]:
    """The discussion as threads, oldest first; hidden and deleted comments keep their place."""
    comments = (
        await session.scalars(
            select(Comment)
            .where(Comment.recommendation_id == recommendation_id)
            .order_by(Comment.created_at)
            .options(selectinload(Comment.author))
        )
    ).all()
    threads = {comment.id: Thread(comment) for comment in comments}
    roots: list[Thread] = []
    for thread in threads.values():
        parent = threads.get(thread.comment.parent_id) if thread.comment.parent_id else None
        (parent.replies if parent else roots).append(thread)
    return roots


async def comments_since(session: AsyncSession, user: User, since: dict[UUID, datetime]) -> dict[UUID, int]:
    """Per recommendation, the visible comments others posted after the given moment, in one query."""
    if not since:
        return {}
    rows = await session.execute(
        select(Comment.recommendation_id, Comment.created_at).where(
            Comment.recommendation_id.in_(list(since)),
            Comment.created_at > min(since.values()),
            Comment.deleted_at.is_(None),
            Comment.hidden_at.is_(None),
            or_(Comment.author_id.is_(None), Comment.author_id != user.id),
        )
    )
    counts: dict[UUID, int] = {}
    for recommendation_id, created_at in rows.all():
        if created_at > since[recommendation_id]:
            counts[recommendation_id] = counts.get(recommendation_id, 0) + 1
    return counts
