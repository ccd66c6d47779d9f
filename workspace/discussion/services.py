"""Comments: reading a recommendation's discussion as threads."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

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
