"""Writing recommendations: create, save with a three-way merge, restore, submit, withdraw, co-authors.

A save carries the revision it started from. If someone saved in between, the fields merge three-way;
a clean merge saves and says which fields were combined; a conflict stores nothing and hands back both
texts, the person's own kept in the form. Saves of one recommendation are serialised (row lock on
PostgreSQL, the single IMMEDIATE writer on SQLite), so no two saves can both think they are the latest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from workspace.accounts.models import MembershipRole, User
from workspace.core import audit
from workspace.core.forms import Form, FormError
from workspace.core.i18n import gettext as _
from workspace.core.web import found
from workspace.cycles.access import CycleAccess, cycle_access, require
from workspace.cycles.models import Axis, Cycle, Membership, WorkingGroup
from workspace.recommendations.content import (
    REVISION_FIELDS,
    content_of,
    normalise_tags,
    read_content,
    revision_content,
)
from workspace.recommendations.merge import FieldConflict, merge_fields
from workspace.recommendations.models import (
    TEXT_FIELDS,
    ActionLevel,
    CoAuthor,
    Recommendation,
    RecommendationTag,
    Revision,
    Status,
)
from workspace.recommendations.rules import Rights, can_create, rights
from workspace.recommendations.signals import text_corrected

MAX_MESSAGE = 300


@dataclass
class SaveOutcome:
    recommendation: Recommendation
    saved: bool
    merged_fields: list[str] = field(default_factory=list)
    conflicts: list[FieldConflict] = field(default_factory=list)
    current_revision: int = 0
    unchanged: bool = False
    merged: bool = False
    """Someone saved in between, and this save was combined with theirs."""


async def load_for_writing(
    session: AsyncSession, recommendation_id: UUID, user: User | None
) -> tuple[Recommendation, CycleAccess, Rights]:
    """The recommendation, locked for the rest of the transaction, with the viewer's rights: for the
    changes only (a page that merely shows the form reads it with `load_with_rights`)."""
    return await _load(session, recommendation_id, user, lock=True)


async def load_with_rights(
    session: AsyncSession, recommendation_id: UUID, user: User | None
) -> tuple[Recommendation, CycleAccess, Rights]:
    """The recommendation and the viewer's rights, without a lock: on PostgreSQL a page holding one until
    it is rendered would make every save of the recommendation wait for it."""
    return await _load(session, recommendation_id, user, lock=False)


async def _load(
    session: AsyncSession, recommendation_id: UUID, user: User | None, *, lock: bool
) -> tuple[Recommendation, CycleAccess, Rights]:
    query = (
        select(Recommendation)
        .where(Recommendation.id == recommendation_id)
        .options(
            selectinload(Recommendation.tags),
            selectinload(Recommendation.coauthors).selectinload(CoAuthor.user),
            selectinload(Recommendation.axis).selectinload(Axis.cycle),
            selectinload(Recommendation.author),
        )
    )
    recommendation = await session.scalar(query.with_for_update(of=Recommendation) if lock else query)
    recommendation = found(recommendation)
    access = await cycle_access(session, user, recommendation.axis.cycle)
    require(access.is_participant)
    coauthor_ids = frozenset(coauthor.user_id for coauthor in recommendation.coauthors)
    return recommendation, access, rights(recommendation, access, coauthor_ids)


def apply_content(recommendation: Recommendation, content: dict[str, str]) -> None:
    for name in TEXT_FIELDS:
        setattr(recommendation, name, content[name])
    recommendation.action_level = ActionLevel(content["action_level"])
    wanted = normalise_tags(content["tags"])
    kept = [tag for tag in recommendation.tags if tag.tag in wanted]
    known = {tag.tag for tag in kept}
    recommendation.tags = kept + [RecommendationTag(tag=tag) for tag in wanted if tag not in known]


def new_revision(
    session: AsyncSession, recommendation: Recommendation, content: dict[str, str], author: User, message: str
) -> Revision:
    recommendation.revision_number += 1
    revision = Revision(
        recommendation_id=recommendation.id,
        number=recommendation.revision_number,
        author_id=author.id,
        message=message[:MAX_MESSAGE],
        content=dict(content),
    )
    session.add(revision)
    return revision


async def drafting_groups(session: AsyncSession, access: CycleAccess) -> list[WorkingGroup]:
    """The person's own working groups in the cycle that are not archived, by name: a new recommendation
    comes from one of them (and, when the cycle lets each group vote on its own recommendations, that
    group's members vote)."""
    if not access.group_ids:
        return []
    query = select(WorkingGroup).where(
        WorkingGroup.cycle_id == access.cycle.id,
        WorkingGroup.id.in_(access.group_ids),
        WorkingGroup.archived_at.is_(None),
    )
    return list((await session.scalars(query.order_by(WorkingGroup.name, WorkingGroup.id))).all())


def read_drafting_group(form: Form, groups: list[WorkingGroup]) -> WorkingGroup | None:
    """The group a new recommendation comes from: the person's only one, or the one they chose among theirs
    (the form asks only when there are several; anything else is refused beside the field)."""
    if len(groups) <= 1:
        return groups[0] if groups else None
    chosen = {str(group.id): group for group in groups}.get(form.get("group").strip())
    if chosen is None:
        form.add_error("group", _("Choose which of your working groups this recommendation comes from."))
    return chosen


async def create_recommendation(
    session: AsyncSession, access: CycleAccess, axis: Axis, form: Form, author: User
) -> Recommendation:
    require(can_create(access))
    content = read_content(form)
    group = read_drafting_group(form, await drafting_groups(session, access))
    if not form.is_valid:
        raise FormError(form)
    group_id = group.id if group else None
    recommendation = Recommendation(
        cycle_id=access.cycle.id,
        axis_id=axis.id,
        group_id=group_id,
        author_id=author.id,
        status=Status.DRAFT,
        language=author.language.value if author.language.value in ("fr", "nl") else "fr",
        revision_number=0,
        title=content["title"],
        tags=[],
        coauthors=[],
    )
    apply_content(recommendation, content)
    session.add(recommendation)
    await session.flush()
    new_revision(session, recommendation, content, author, form.get("message") or _("First version"))
    return recommendation


async def revision(session: AsyncSession, recommendation_id: UUID, number: int) -> Revision | None:
    return await session.scalar(
        select(Revision).where(Revision.recommendation_id == recommendation_id, Revision.number == number)
    )


def _base_number(form: Form, current: int) -> int:
    raw = form.values.get("base_revision", "")
    try:
        number = int(raw)
    except ValueError:
        number = -1
    if not 1 <= number <= current:
        form.add_error("form", _("This edit does not start from a known revision. Reload the page and try again."))
    return number


async def save(session: AsyncSession, recommendation_id: UUID, form: Form, editor: User) -> SaveOutcome:
    recommendation, access, allowed = await load_for_writing(session, recommendation_id, editor)
    require(allowed.can_edit)
    mine = read_content(form)
    base_number = _base_number(form, recommendation.revision_number)
    message = form.text("message", max_length=MAX_MESSAGE)
    if allowed.is_correction and not message:
        form.add_error("message", _("Say why you correct the text: the reason is recorded and its authors are told."))
    if not form.is_valid:
        raise FormError(form)
    theirs = content_of(recommendation)
    outcome = SaveOutcome(recommendation=recommendation, saved=False, current_revision=recommendation.revision_number)
    content = mine
    if base_number != recommendation.revision_number:
        base_revision = await revision(session, recommendation.id, base_number)
        assert base_revision is not None
        result = merge_fields(revision_content(base_revision.content), theirs, mine, REVISION_FIELDS)
        if not result.is_clean:
            outcome.conflicts = result.conflicts
            return outcome
        outcome.merged_fields = result.merged_fields
        outcome.merged = True
        content = result.content
    if content == theirs:
        outcome.unchanged = True
        return outcome
    apply_content(recommendation, content)
    new_revision(session, recommendation, content, editor, message)
    if allowed.is_correction:
        audit.record(
            session,
            action="recommendation.correct",
            actor_id=editor.id,
            cycle_id=access.cycle.id,
            target_kind="recommendation",
            target_id=recommendation.id,
            revision=recommendation.revision_number,
            phase=access.cycle.phase.value,
            reason=message,
        )
        await text_corrected.send_async(recommendation, session=session, actor=editor, reason=message)
    outcome.saved = True
    outcome.current_revision = recommendation.revision_number
    return outcome


async def restore(session: AsyncSession, recommendation_id: UUID, number: int, editor: User) -> Recommendation:
    """Restoring an old revision makes a new revision with its text; history is never rewritten."""
    recommendation, access, allowed = await load_for_writing(session, recommendation_id, editor)
    require(allowed.can_edit)
    old = await revision(session, recommendation.id, number)
    require(old is not None and number != recommendation.revision_number)
    assert old is not None
    content = revision_content(old.content)
    if not content["action_level"]:
        content["action_level"] = recommendation.action_level.value
    apply_content(recommendation, content)
    message = _("Restored revision %(number)s", number=number)
    new_revision(session, recommendation, content, editor, message)
    if allowed.is_correction:
        audit.record(
            session,
            action="recommendation.correct",
            actor_id=editor.id,
            cycle_id=access.cycle.id,
            target_kind="recommendation",
            target_id=recommendation.id,
            restored=number,
            reason=message,
        )
        await text_corrected.send_async(recommendation, session=session, actor=editor, reason=message)
    return recommendation


async def change_status(session: AsyncSession, recommendation_id: UUID, action: str, editor: User) -> Recommendation:
    recommendation, access, allowed = await load_for_writing(session, recommendation_id, editor)
    if action == "submit":
        require(allowed.can_submit)
        recommendation.status = Status.SUBMITTED
    elif action == "withdraw":
        require(allowed.can_withdraw)
        recommendation.status = Status.WITHDRAWN
    elif action == "reopen":
        require(allowed.can_withdraw and recommendation.status == Status.SUBMITTED)
        recommendation.status = Status.DRAFT
    else:
        require(False)
    audit.record(
        session,
        action=f"recommendation.{action}",
        actor_id=editor.id,
        cycle_id=access.cycle.id,
        target_kind="recommendation",
        target_id=recommendation.id,
    )
    return recommendation


WRITING_ROLES = (MembershipRole.MEMBER, MembershipRole.FACILITATOR)
"""Who may co-write a recommendation: the authorities' reviewers answer the recommendations, they do not write them."""


async def coauthor_candidates(session: AsyncSession, recommendation: Recommendation, cycle: Cycle) -> list[User]:
    taken = {coauthor.user_id for coauthor in recommendation.coauthors} | {recommendation.author_id}
    users = (
        await session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.cycle_id == cycle.id,
                Membership.role.in_(WRITING_ROLES),
                User.is_active.is_(True),
                Membership.suspended_at.is_(None),
            )
            .order_by(User.display_name)
            .distinct()
        )
    ).all()
    return [user for user in users if user.id not in taken]


async def add_coauthor(session: AsyncSession, recommendation_id: UUID, user_id_raw: str, editor: User) -> User:
    recommendation, access, allowed = await load_for_writing(session, recommendation_id, editor)
    require(allowed.can_manage_coauthors)
    candidates = {str(user.id): user for user in await coauthor_candidates(session, recommendation, access.cycle)}
    person = candidates.get(user_id_raw)
    if person is None:
        form = Form(values={"user_id": user_id_raw})
        form.add_error("user_id", _("Choose a participant of this cycle who is not already an author."))
        raise FormError(form)
    recommendation.coauthors.append(CoAuthor(user_id=person.id))
    audit.record(
        session,
        action="recommendation.coauthor_add",
        actor_id=editor.id,
        cycle_id=access.cycle.id,
        target_kind="recommendation",
        target_id=recommendation.id,
        coauthor=str(person.id),
    )
    return person


async def remove_coauthor(session: AsyncSession, recommendation_id: UUID, user_id: UUID, editor: User) -> None:
    recommendation, access, allowed = await load_for_writing(session, recommendation_id, editor)
    is_self = user_id == editor.id
    require(allowed.can_manage_coauthors or (is_self and allowed.is_coauthor))
    kept = [coauthor for coauthor in recommendation.coauthors if coauthor.user_id != user_id]
    require(len(kept) != len(recommendation.coauthors))
    recommendation.coauthors = kept
    audit.record(
        session,
        action="recommendation.coauthor_remove",
        actor_id=editor.id,
        cycle_id=access.cycle.id,
        target_kind="recommendation",
        target_id=recommendation.id,
        coauthor=str(user_id),
    )


async def history(session: AsyncSession, recommendation_id: UUID) -> list[tuple[Revision, User | None]]:
    rows = await session.execute(
        select(Revision, User)
        .outerjoin(User, User.id == Revision.author_id)
        .where(Revision.recommendation_id == recommendation_id)
        .order_by(Revision.number.desc())
    )
    return [(revision_row, author) for revision_row, author in rows.all()]
