"""The optional annex with the discussion of each recommendation: its comments read from the database
when an export asks for it, and the cheap key that tells a kept export with the annex is still right."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from workspace.accounts.models import User
from workspace.discussion import comments
from workspace.discussion.models import Comment, CommentEdit
from workspace.dossier.content import DiscussionComment, DossierContent, EntryDiscussion
from workspace.recommendations import privacy
from workspace.recommendations.models import Recommendation


async def add_discussion(session: AsyncSession, content: DossierContent, until: datetime | None = None) -> None:
    """Fill content.discussion: for each recommendation of the dossier (adopted, then the annex), its
    comments in thread order (each thread's comments oldest first, replies under what they answer), without
    hidden or deleted ones (a visible reply to one of those keeps its place). until: only comments posted
    by then, as they read then (a published version's discussion is the one it was published with). Authors
    are read now, so an account erased since shows its pseudonym. Nobody reviews thousands of comments one
    by one as they do a recommendation's text, so passages that look like personal data are masked."""
    entries = [*content.entries(), *content.annex]
    ids = [UUID(entry.id) for entry in entries]
    query = (
        select(
            Comment.id,
            Comment.recommendation_id,
            Comment.parent_id,
            Comment.body,
            Comment.created_at,
            Comment.hidden_at,
            Comment.deleted_at,
            User.display_name,
        )
        .outerjoin(User, User.id == Comment.author_id)
        .where(Comment.recommendation_id.in_(ids))
        .order_by(Comment.created_at, Comment.id)
    )
    if until is not None:
        query = query.where(Comment.created_at <= until)
    rows = (await session.execute(query)).all() if ids else []
    text_then = await _texts_before_edits(session, ids, until) if until and rows else {}
    children: dict[UUID | None, list[Any]] = defaultdict(list)
    roots: dict[UUID, list[Any]] = defaultdict(list)
    known = {row.id for row in rows}
    for row in rows:
        if row.parent_id is not None and row.parent_id in known:
            children[row.parent_id].append(row)
        else:
            roots[row.recommendation_id].append(row)

    def thread(root: Any) -> list[DiscussionComment]:
        """The root and its replies, depth first, without recursion (a reply chain may be very long)."""
        shown = []
        pending = [(root, 0)]
        while pending:
            row, depth = pending.pop()
            if row.hidden_at is None and row.deleted_at is None:
                body = privacy.masked(text_then.get(row.id, row.body))
                shown.append(DiscussionComment(row.display_name or "", row.created_at.date().isoformat(), body, depth))
            pending.extend((reply, depth + 1) for reply in reversed(children[row.id]))
        return shown

    content.discussion = [
        EntryDiscussion(
            id=entry.id,
            number=entry.number,
            title={language: entry.title(language) for language in entry.text},
            comments=[comment for root in roots[UUID(entry.id)] for comment in thread(root)],
        )
        for entry in entries
    ]


async def _texts_before_edits(
    session: AsyncSession, recommendation_ids: list[UUID], until: datetime
) -> dict[UUID, str]:
    """The text of each comment edited after `until`, as it was then."""
    edits: dict[UUID, list[CommentEdit]] = defaultdict(list)
    query = (
        select(CommentEdit)
        .join(Comment, Comment.id == CommentEdit.comment_id)
        .where(Comment.recommendation_id.in_(recommendation_ids), CommentEdit.created_at > until)
        .order_by(CommentEdit.created_at)
    )
    for edit in (await session.scalars(query)).all():
        edits[edit.comment_id].append(edit)
    texts = {comment_id: comments.text_at(found, until) for comment_id, found in edits.items()}
    return {comment_id: text for comment_id, text in texts.items() if text is not None}


async def discussion_key(session: AsyncSession, cycle_id: UUID, until: datetime | None) -> str:
    """What the discussion annex of a cycle depends on, in one aggregate query: a kept export with the annex
    is served again only while it is the same (a comment edited, hidden, restored or deleted, or an author
    who renamed or erased their account, changes it). Cheap enough for the request that asks for an export."""
    query = (
        select(
            func.count(Comment.id),
            func.count(Comment.hidden_at),
            func.count(Comment.deleted_at),
            func.max(Comment.updated_at),
            func.max(User.updated_at),
        )
        .join(Recommendation, Recommendation.id == Comment.recommendation_id)
        .outerjoin(User, User.id == Comment.author_id)
        .where(Recommendation.cycle_id == cycle_id)
    )
    if until is not None:
        query = query.where(Comment.created_at <= until)
    state = (await session.execute(query)).one()
    return hashlib.sha256("|".join(str(value) for value in state).encode()).hexdigest()
