"""Moderation: reports, the facilitators' queue, hiding with a public reason, locking a discussion,
suspending a member, merging a duplicate. Every act goes into the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from workspace.accounts.models import MembershipRole, User
from workspace.core import audit
from workspace.core.forms import Form, FormError
from workspace.core.i18n import gettext as _
from workspace.core.models import AuditEntry
from workspace.core.web import found
from workspace.cycles.access import CycleAccess, require
from workspace.cycles.models import Membership
from workspace.discussion import audit_log as audit_log_view
from workspace.discussion import comments, signals
from workspace.discussion.models import Comment, CommentEdit, Follow, Report, ReportStatus
from workspace.recommendations.models import Recommendation, Status
from workspace.voting.models import Ballot

MAX_REASON = 1_000
AUDIT_PAGE = 200


class AlreadyReported(Exception):
    """The same person already has an open report on this post."""


def _reason(form: Form, name: str = "reason") -> str:
    reason = form.text(name, required=True, max_length=MAX_REASON)
    if not form.is_valid:
        raise FormError(form)
    return reason


async def report(
    session: AsyncSession,
    access: CycleAccess,
    form: Form,
    *,
    comment: Comment | None = None,
    recommendation: Recommendation | None = None,
) -> Report:
    """A participant reports someone else's comment or recommendation, with a reason."""
    user = access.user
    require(user is not None and access.is_participant)
    assert user is not None
    author_id = comment.author_id if comment else recommendation.author_id if recommendation else None
    if author_id == user.id:
        form.add_error("reason", _("You cannot report your own contribution: edit or delete it instead."))
    reason = _reason(form)
    if comment is not None:
        # Taken before the report lands, as deleting the comment takes it: one waits for the other.
        await session.refresh(comment, attribute_names=["deleted_at"], with_for_update=True)
        if comment.deleted_at is not None:
            form.add_error("reason", _("This comment was deleted by its author."))
            raise FormError(form)
    target_id = comment.id if comment is not None else found(recommendation).id
    target = Report.comment_id == target_id if comment is not None else Report.recommendation_id == target_id
    existing = await session.scalar(
        select(Report.id).where(target, Report.reporter_id == user.id, Report.status == ReportStatus.OPEN)
    )
    if existing is not None:
        raise AlreadyReported()
    entry = Report(
        comment_id=comment.id if comment else None,
        recommendation_id=recommendation.id if recommendation else None,
        reporter_id=user.id,
        reason=reason,
    )
    session.add(entry)
    audit.record(
        session,
        action="report.open",
        actor_id=user.id,
        cycle_id=access.cycle.id,
        target_kind="comment" if comment else "recommendation",
        target_id=target_id,
    )
    return entry


async def open_report_counts(session: AsyncSession, user: User) -> dict[str, int]:
    """Open reports per cycle (by cycle id) in the cycles the person facilitates (every cycle for an
    admin): what the cycle's navigation shows them."""
    statement = (
        select(Recommendation.cycle_id, func.count(Report.id))
        .select_from(Report)
        .outerjoin(Comment, Comment.id == Report.comment_id)
        .join(Recommendation, Recommendation.id == func.coalesce(Report.recommendation_id, Comment.recommendation_id))
        .where(Report.status == ReportStatus.OPEN)
        .group_by(Recommendation.cycle_id)
    )
    if not user.is_admin:
        facilitated = select(Membership.cycle_id).where(
            Membership.user_id == user.id, Membership.role == MembershipRole.FACILITATOR
        )
        statement = statement.where(Recommendation.cycle_id.in_(facilitated))
    return {str(cycle_id): count for cycle_id, count in (await session.execute(statement)).all()}


@dataclass
class QueueItem:
    report: Report
    reporter: User | None
    comment: Comment | None
    recommendation: Recommendation
    author: User | None
    reported_text: str | None = None
    """The comment's text when it was reported, when its author edited it since."""


async def queue(session: AsyncSession, access: CycleAccess) -> list[QueueItem]:
    """Open reports in the cycle, oldest first."""
    require(access.is_facilitator)
    reporter, author = aliased(User), aliased(User)
    rows = await session.execute(
        select(Report, Comment, Recommendation, reporter, author)
        .outerjoin(Comment, Comment.id == Report.comment_id)
        .join(Recommendation, Recommendation.id == func.coalesce(Report.recommendation_id, Comment.recommendation_id))
        .outerjoin(reporter, reporter.id == Report.reporter_id)
        .outerjoin(author, author.id == func.coalesce(Comment.author_id, Recommendation.author_id))
        .where(Recommendation.cycle_id == access.cycle.id, Report.status == ReportStatus.OPEN)
        .order_by(Report.created_at)
    )
    found = rows.all()
    edits = await _edits_of([comment.id for _entry, comment, *_rest in found if comment is not None], session)
    return [
        QueueItem(
            report=entry,
            reporter=by,
            comment=comment,
            recommendation=recommendation,
            author=written_by,
            reported_text=comments.text_at(edits.get(comment.id, []), entry.created_at) if comment else None,
        )
        for entry, comment, recommendation, by, written_by in found
    ]


async def _edits_of(comment_ids: list[UUID], session: AsyncSession) -> dict[UUID, list[CommentEdit]]:
    edits: dict[UUID, list[CommentEdit]] = {}
    if comment_ids:
        query = select(CommentEdit).where(CommentEdit.comment_id.in_(comment_ids)).order_by(CommentEdit.created_at)
        for edit in (await session.scalars(query)).all():
            edits.setdefault(edit.comment_id, []).append(edit)
    return edits


async def _resolve_reports(session: AsyncSession, actor: User, status: ReportStatus, **target: UUID) -> None:
    column = Report.comment_id if "comment_id" in target else Report.recommendation_id
    await session.execute(
        update(Report)
        .where(column == next(iter(target.values())), Report.status == ReportStatus.OPEN)
        .values(status=status, resolved_by_id=actor.id, resolved_at=datetime.now(UTC))
    )


async def hide_comment(session: AsyncSession, access: CycleAccess, comment: Comment, form: Form) -> None:
    """Hidden with a reason everyone reads in its place; the text stays for facilitators to restore."""
    require(access.is_facilitator)
    actor = access.user
    assert actor is not None
    reason = _reason(form)
    comment.hidden_at = datetime.now(UTC)
    comment.hidden_reason = reason
    comment.hidden_by_id = actor.id
    await _resolve_reports(session, actor, ReportStatus.HIDDEN, comment_id=comment.id)
    await signals.comment_withdrawn.send_async(comment, session=session, cycle_id=access.cycle.id)
    audit.record(session, action="comment.hide", actor_id=actor.id, cycle_id=access.cycle.id,
                 target_kind="comment", target_id=comment.id, reason=reason)  # fmt: skip


async def restore_comment(session: AsyncSession, access: CycleAccess, comment: Comment) -> None:
    require(access.is_facilitator and comment.hidden_at is not None)
    actor = access.user
    assert actor is not None
    comment.hidden_at = None
    comment.hidden_reason = ""
    comment.hidden_by_id = None
    audit.record(session, action="comment.restore", actor_id=actor.id, cycle_id=access.cycle.id,
                 target_kind="comment", target_id=comment.id)  # fmt: skip


async def dismiss(session: AsyncSession, access: CycleAccess, report_id: UUID) -> None:
    require(access.is_facilitator)
    actor = access.user
    assert actor is not None
    entry = await session.get(Report, report_id)
    require(entry is not None and entry.status == ReportStatus.OPEN)
    assert entry is not None
    recommendation_id = entry.recommendation_id
    if entry.comment_id:
        recommendation_id = await session.scalar(
            select(Comment.recommendation_id).where(Comment.id == entry.comment_id)
        )
    owner = await session.scalar(select(Recommendation.cycle_id).where(Recommendation.id == recommendation_id))
    require(owner == access.cycle.id)
    entry.status = ReportStatus.DISMISSED
    entry.resolved_by_id = actor.id
    entry.resolved_at = datetime.now(UTC)
    audit.record(session, action="report.dismiss", actor_id=actor.id, cycle_id=access.cycle.id,
                 target_kind="report", target_id=entry.id)  # fmt: skip


async def set_locked(session: AsyncSession, access: CycleAccess, recommendation: Recommendation, locked: bool) -> None:
    require(access.is_facilitator)
    actor = access.user
    assert actor is not None
    recommendation.discussion_locked = locked
    audit.record(session, action="discussion.lock" if locked else "discussion.unlock", actor_id=actor.id,
                 cycle_id=access.cycle.id, target_kind="recommendation", target_id=recommendation.id)  # fmt: skip


async def set_suspended(
    session: AsyncSession, access: CycleAccess, member_id: UUID, suspended: bool, form: Form
) -> None:
    """Suspend a member from the cycle's working groups (they read but no longer write or vote)."""
    require(access.is_facilitator)
    actor = access.user
    assert actor is not None
    memberships = list(
        (
            await session.scalars(
                select(Membership).where(Membership.cycle_id == access.cycle.id, Membership.user_id == member_id)
            )
        ).all()
    )
    require(bool(memberships))
    if member_id == actor.id:
        form.add_error("reason", _("You cannot suspend or reinstate yourself."))
    elif any(membership.role == MembershipRole.FACILITATOR for membership in memberships):
        form.add_error("reason", _("Facilitators are not suspended: an admin changes their role instead."))
    reason = form.text("reason", required=suspended, max_length=MAX_REASON)
    if not form.is_valid:
        raise FormError(form)
    for membership in memberships:
        membership.suspended_at = datetime.now(UTC) if suspended else None
    audit.record(session, action="member.suspend" if suspended else "member.reinstate", actor_id=actor.id,
                 cycle_id=access.cycle.id, target_kind="user", target_id=member_id, reason=reason)  # fmt: skip


async def suspended_members(session: AsyncSession, access: CycleAccess) -> list[User]:
    """The cycle's members who are suspended, by name: the facilitators may reinstate them."""
    require(access.is_facilitator)
    suspended = select(Membership.user_id).where(
        Membership.cycle_id == access.cycle.id, Membership.suspended_at.is_not(None)
    )
    return list((await session.scalars(select(User).where(User.id.in_(suspended)).order_by(User.display_name))).all())


async def merge(session: AsyncSession, access: CycleAccess, duplicate: Recommendation, form: Form) -> Recommendation:
    """Merge a duplicate into another recommendation of the cycle: its comments and followers move;
    its revisions stay with it, readable from its old address, which now leads to the target."""
    require(access.is_facilitator)
    actor = access.user
    assert actor is not None
    await session.refresh(duplicate, attribute_names=["merged_into_id", "status"], with_for_update=True)
    raw = form.get("target").strip()
    target: Recommendation | None = None
    if raw:
        target = await session.scalar(
            select(Recommendation).where(
                Recommendation.cycle_id == access.cycle.id,
                (Recommendation.reference == raw) | (Recommendation.id == _as_uuid(raw)),
            )
        )
    if target is None:
        form.add_error("target", _("Choose the recommendation of this cycle to merge into."))
    elif target.id == duplicate.id or target.merged_into_id is not None or target.status == Status.MERGED:
        form.add_error("target", _("A recommendation cannot be merged into itself or into a merged one."))
    if duplicate.merged_into_id is not None:
        form.add_error("target", _("This recommendation was already merged."))
    has_ballots = await session.scalar(select(Ballot.id).where(Ballot.recommendation_id == duplicate.id).limit(1))
    if has_ballots is not None:
        form.add_error("target", _("Ballots were cast on this recommendation: it can no longer be merged."))
    if not form.is_valid:
        raise FormError(form)
    assert target is not None
    await session.execute(
        update(Comment).where(Comment.recommendation_id == duplicate.id).values(recommendation_id=target.id)
    )
    already = set(await session.scalars(select(Follow.user_id).where(Follow.recommendation_id == target.id)))
    for follow in await session.scalars(select(Follow).where(Follow.recommendation_id == duplicate.id)):
        if follow.user_id in already:
            await session.delete(follow)
        else:
            follow.recommendation_id = target.id
    duplicate.merged_into_id = target.id
    duplicate.status = Status.MERGED
    audit.record(session, action="recommendation.merge", actor_id=actor.id, cycle_id=access.cycle.id,
                 target_kind="recommendation", target_id=duplicate.id, into=str(target.id))  # fmt: skip
    return target


async def merge_candidates(
    session: AsyncSession, access: CycleAccess, recommendation: Recommendation
) -> list[Recommendation]:
    return list(
        (
            await session.scalars(
                select(Recommendation)
                .where(
                    Recommendation.cycle_id == access.cycle.id,
                    Recommendation.id != recommendation.id,
                    Recommendation.merged_into_id.is_(None),
                    Recommendation.status.not_in((Status.MERGED, Status.WITHDRAWN)),
                )
                .order_by(Recommendation.reference, Recommendation.title)
            )
        ).all()
    )


def _as_uuid(raw: str) -> UUID | None:
    try:
        return UUID(raw)
    except ValueError:
        return None


async def audit_log(
    session: AsyncSession, access: CycleAccess, *, action: str = "", actor_id: UUID | None = None
) -> list[audit_log_view.Line]:
    """The cycle's audit log, newest first, filtered by kind of act and by person, worded for the reader."""
    require(access.is_facilitator)
    statement = (
        select(AuditEntry, User)
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .where(AuditEntry.cycle_id == access.cycle.id)
        .order_by(AuditEntry.created_at.desc())
        .limit(AUDIT_PAGE)
    )
    action = action.replace("\x00", "")
    if action:
        statement = statement.where(AuditEntry.action.startswith(action))
    if actor_id:
        statement = statement.where(AuditEntry.actor_id == actor_id)
    rows: list[tuple[AuditEntry, User | None]] = [
        (entry, actor) for entry, actor in (await session.execute(statement)).all()
    ]
    return await audit_log_view.lines(session, access.cycle, rows)


async def audit_actions(session: AsyncSession, access: CycleAccess) -> list[tuple[str, str]]:
    """The kinds of act recorded in the cycle, with their labels, for the filter."""
    recorded = await session.scalars(select(AuditEntry.action).where(AuditEntry.cycle_id == access.cycle.id).distinct())
    return audit_log_view.action_choices(set(recorded))
