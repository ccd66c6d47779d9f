"""Comments: who may discuss, posting, replying, editing with history, deleting, and the pace limit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from uuid_utils.compat import uuid7

from workspace.accounts.models import User
from workspace.core.dialects import insert_or_skip
from workspace.core.forms import Form, FormError
from workspace.core.i18n import gettext as _
from workspace.core.web import found
from workspace.cycles.access import CycleAccess, require
from workspace.discussion import signals
from workspace.discussion.models import Comment, CommentEdit, Follow, Report, ReportStatus
from workspace.recommendations import passages
from workspace.recommendations import services as recommendations
from workspace.recommendations.models import TEXT_FIELDS, Recommendation, Status

MAX_COMMENT = 10_000
POSTS_PER_MINUTE = 6
"""A person posts at most this many comments a minute (counted in the database: every process agrees)."""
ANCHORS = TEXT_FIELDS


class PostingTooFast(Exception):
    """More comments in the last minute than a person can write: answered with 429."""


class DiscussionClosed(FormError):
    """A participant may read the discussion but not post in it now (locked, suspended, withdrawn or
    merged): answered 409, the text kept and the reason beside it."""


@dataclass(frozen=True)
class DiscussionRights:
    can_post: bool
    locked: bool
    is_facilitator: bool
    user_id: UUID | None


def discussion_rights(recommendation: Recommendation, access: CycleAccess) -> DiscussionRights:
    """Participants discuss; a locked or merged discussion is closed to all but facilitators."""
    user = access.user
    closed = recommendation.merged_into_id is not None or recommendation.status in (Status.WITHDRAWN, Status.MERGED)
    open_to_user = not recommendation.discussion_locked or access.is_facilitator
    return DiscussionRights(
        can_post=bool(user and access.is_participant and not access.suspended and not closed and open_to_user),
        locked=recommendation.discussion_locked,
        is_facilitator=access.is_facilitator,
        user_id=user.id if user else None,
    )


def _closed_reason(recommendation: Recommendation, access: CycleAccess) -> str:
    if recommendation.merged_into_id is not None or recommendation.status in (Status.WITHDRAWN, Status.MERGED):
        return _("This recommendation was withdrawn or merged: its discussion is closed. Your text is kept here.")
    if access.suspended:
        return _("Your participation in this cycle is suspended: you can read, not post. Your text is kept here.")
    return _("A facilitator has locked this discussion: new comments are not accepted. Your text is kept here.")


async def load(session: AsyncSession, recommendation_id: UUID, user: User | None) -> tuple[Recommendation, CycleAccess]:
    return await recommendations.get_recommendation(session, recommendation_id, user)


async def load_comment(
    session: AsyncSession, comment_id: UUID, user: User | None
) -> tuple[Comment, Recommendation, CycleAccess]:
    comment = await session.get(Comment, comment_id)
    comment = found(comment)
    recommendation, access = await load(session, comment.recommendation_id, user)
    return comment, recommendation, access


async def _check_pace(session: AsyncSession, user: User) -> None:
    since = datetime.now(UTC) - timedelta(minutes=1)
    recent = await session.scalar(
        select(func.count()).select_from(Comment).where(Comment.author_id == user.id, Comment.created_at >= since)
    )
    if (recent or 0) >= POSTS_PER_MINUTE:
        raise PostingTooFast()


def _read_body(form: Form) -> str:
    body = form.text("body", required=True, max_length=MAX_COMMENT)
    if form.values.get("body") and not body.strip():
        form.add_error("body", _("This field is required."))
    return body


def _read_anchor(recommendation: Recommendation, form: Form) -> tuple[str | None, str]:
    """What the comment is about: a part of the text, one of its passages (in the original text), or the
    whole recommendation. A passage rewritten since the page was opened is refused beside the choice."""
    raw = form.get("anchor").strip()
    field, key = passages.parse(raw)
    if not key:
        return form.choice("anchor", list(ANCHORS), required=False) or None, ""
    original = {name: getattr(recommendation, name) for name in passages.PASSAGE_FIELDS}
    passage = next((p for p in passages.of_text(original).get(field, []) if p.key == key), None)
    if passage is None:
        form.add_error(
            "anchor", _("This passage has changed since the page was opened: choose what the comment is about again.")
        )
        return None, ""
    return passage.anchor, passage.excerpt


async def post_comment(
    session: AsyncSession, recommendation: Recommendation, access: CycleAccess, form: Form
) -> Comment:
    """A new comment or a reply. A reply to a comment elsewhere is out of reach (404); to a hidden or
    deleted one, refused with a message beside the text."""
    await session.refresh(
        recommendation, attribute_names=["merged_into_id", "status", "discussion_locked"], with_for_update=True
    )
    rights = discussion_rights(recommendation, access)
    if not rights.can_post:
        require(access.user is not None and access.is_participant)
        form.add_error("body", _closed_reason(recommendation, access))
        raise DiscussionClosed(form)
    user = access.user
    assert user is not None
    body = _read_body(form)
    anchor, excerpt = _read_anchor(recommendation, form)
    parent: Comment | None = None
    raw_parent = form.get("parent_id").strip()
    if raw_parent:
        try:
            parent = await session.get(Comment, UUID(raw_parent))
        except ValueError:
            parent = None
        require(parent is not None and parent.recommendation_id == recommendation.id)
        assert parent is not None
        if parent.hidden_at or parent.deleted_at:
            form.add_error("body", _("This comment was hidden or deleted: it can no longer be answered."))
        anchor, excerpt = parent.anchor, parent.anchor_excerpt
    if not form.is_valid:
        raise FormError(form)
    await _check_pace(session, user)
    comment = Comment(
        recommendation_id=recommendation.id,
        author_id=user.id,
        parent_id=parent.id if parent else None,
        anchor=anchor,
        anchor_excerpt=excerpt,
        body=body,
    )
    session.add(comment)
    await follow(session, user.id, recommendation.id)
    await session.flush()
    return comment


def may_change(comment: Comment, access: CycleAccess) -> bool:
    user = access.user
    return bool(
        user
        and comment.author_id == user.id
        and not comment.deleted_at
        and not comment.hidden_at
        and access.is_participant
        and not access.suspended
    )


async def edit_comment(session: AsyncSession, comment: Comment, access: CycleAccess, form: Form) -> None:
    """The author edits; the previous text is kept in the comment's history."""
    require(may_change(comment, access))
    body = _read_body(form)
    if not form.is_valid:
        raise FormError(form)
    if body == comment.body:
        return
    session.add(CommentEdit(comment_id=comment.id, body=comment.body))
    comment.body = body
    comment.edited_at = datetime.now(UTC)


class CommentUnderReview(Exception):
    """A reported comment stays until a facilitator has handled the report (it can still be edited)."""


async def delete_comment(session: AsyncSession, comment: Comment, access: CycleAccess) -> None:
    """The author deletes: the text and its history go, the place in the thread and the replies stay.

    Not while a report on it is open: the facilitators would lose what was reported."""
    require(may_change(comment, access))
    await session.refresh(comment, attribute_names=["deleted_at"], with_for_update=True)
    require(comment.deleted_at is None)
    reported = await session.scalar(
        select(func.count())
        .select_from(Report)
        .where(Report.comment_id == comment.id, Report.status == ReportStatus.OPEN)
    )
    if reported:
        raise CommentUnderReview()
    comment.body = ""
    comment.deleted_at = datetime.now(UTC)
    await signals.comment_withdrawn.send_async(comment, session=session, cycle_id=access.cycle.id)
    await session.execute(delete(CommentEdit).where(CommentEdit.comment_id == comment.id))


def text_at(edits: list[CommentEdit], moment: datetime) -> str | None:
    """The text a comment had at `moment` if an edit replaced it since, else None (its current text was
    the text then). `edits` are the comment's, oldest first; each keeps the text it replaced."""
    return next((edit.body for edit in edits if edit.created_at > moment), None)


async def history(session: AsyncSession, comment: Comment) -> list[CommentEdit]:
    return list(
        (
            await session.scalars(
                select(CommentEdit).where(CommentEdit.comment_id == comment.id).order_by(CommentEdit.created_at.desc())
            )
        ).all()
    )


async def follow(session: AsyncSession, user_id: UUID, recommendation_id: UUID) -> None:
    """Idempotent, also when two requests of the same person arrive at once (a double click)."""
    now = datetime.now(UTC)
    await session.execute(
        insert_or_skip(session, Follow)
        .values(id=uuid7(), user_id=user_id, recommendation_id=recommendation_id, created_at=now, updated_at=now)
        .on_conflict_do_nothing(index_elements=["user_id", "recommendation_id"])
    )


async def unfollow(session: AsyncSession, user_id: UUID, recommendation_id: UUID) -> None:
    await session.execute(
        delete(Follow).where(Follow.user_id == user_id, Follow.recommendation_id == recommendation_id)
    )


async def is_following(session: AsyncSession, user: User | None, recommendation_id: UUID) -> bool:
    if user is None:
        return False
    return (
        await session.scalar(
            select(Follow.id).where(Follow.user_id == user.id, Follow.recommendation_id == recommendation_id)
        )
    ) is not None


async def marker(session: AsyncSession, recommendation_id: UUID) -> str:
    """A value that changes whenever the discussion shown changes (a new, edited, deleted or hidden
    comment): the id of live events, so a reconnecting page knows whether it missed something."""
    row = (
        await session.execute(
            select(func.count(Comment.id), func.max(Comment.updated_at)).where(
                Comment.recommendation_id == recommendation_id
            )
        )
    ).one()
    latest = row[1]
    stamp = int(latest.timestamp() * 1_000_000) if latest else 0
    return f"{row[0]}-{stamp}"


async def comment_counts(session: AsyncSession, recommendation_ids: list[UUID]) -> dict[UUID, int]:
    """The comments readers see on each recommendation (neither deleted nor hidden), in one query."""
    if not recommendation_ids:
        return {}
    rows = await session.execute(
        select(Comment.recommendation_id, func.count())
        .where(
            Comment.recommendation_id.in_(recommendation_ids),
            Comment.deleted_at.is_(None),
            Comment.hidden_at.is_(None),
        )
        .group_by(Comment.recommendation_id)
    )
    return {recommendation_id: count for recommendation_id, count in rows.all()}  # noqa: C416 - rows, not pairs
