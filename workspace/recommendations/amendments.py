"""Amendments: a member who is not a co-author proposes a changed text; co-authors accept or decline.

Accepting merges the amendment three-way (from the revision it was written against) into the current
text and makes a revision credited to the amendment's author. If the text changed meanwhile in the same
places, accepting is refused with the fields that clash; nothing is lost, the amendment stays open.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from workspace.accounts.models import User
from workspace.core import audit
from workspace.core.forms import MAX_TEXT, Form, FormError
from workspace.core.i18n import gettext as _
from workspace.core.markdown import plain_text
from workspace.cycles.access import require
from workspace.recommendations.content import REVISION_FIELDS, content_of, read_content, revision_content
from workspace.recommendations.editing import apply_content, load_for_writing, new_revision, revision
from workspace.recommendations.merge import merge_fields
from workspace.recommendations.models import Amendment, AmendmentStatus, Recommendation, Revision


@dataclass(frozen=True)
class AmendmentView:
    amendment: Amendment
    author: User | None
    base: dict[str, str]
    proposed: dict[str, str]

    @property
    def changed_fields(self) -> list[str]:
        return [name for name in REVISION_FIELDS if self.base.get(name, "") != self.proposed.get(name, "")]


async def propose(session: AsyncSession, recommendation_id: UUID, form: Form, author: User) -> Amendment:
    recommendation, access, allowed = await load_for_writing(session, recommendation_id, author)
    require(allowed.can_amend)
    proposed = read_content(form)
    reason = form.text("reason", required=True, max_length=MAX_TEXT)
    base_number = recommendation.revision_number
    if proposed == content_of(recommendation):
        form.add_error("form", _("The amendment changes nothing yet: edit the text you want to change."))
    if not form.is_valid:
        raise FormError(form)
    amendment = Amendment(
        recommendation_id=recommendation.id,
        author_id=author.id,
        base_revision=base_number,
        content=proposed,
        reason=reason,
    )
    session.add(amendment)
    await session.flush()
    audit.record(
        session,
        action="amendment.propose",
        actor_id=author.id,
        cycle_id=access.cycle.id,
        target_kind="amendment",
        target_id=amendment.id,
    )
    return amendment


@dataclass(frozen=True)
class AmendmentSummary:
    """One line of a recommendation's list of amendments: who, when, which fields and the first words of
    the author's reason, so that two amendments by one person can be told apart."""

    amendment: Amendment
    author: User | None
    changed_fields: list[str]
    opening: str


SUMMARY_LENGTH = 120


async def amendments_of(session: AsyncSession, recommendation: Recommendation) -> list[AmendmentSummary]:
    rows = (
        await session.execute(
            select(Amendment, User)
            .outerjoin(User, User.id == Amendment.author_id)
            .where(Amendment.recommendation_id == recommendation.id)
            .order_by(Amendment.created_at.desc())
        )
    ).all()
    bases = {amendment.base_revision for amendment, _user in rows}
    revisions = await session.scalars(
        select(Revision).where(Revision.recommendation_id == recommendation.id, Revision.number.in_(bases or {0}))
    )
    base_content = {item.number: revision_content(item.content) for item in revisions}
    summaries: list[AmendmentSummary] = []
    for amendment, user in rows:
        shown = AmendmentView(
            amendment=amendment,
            author=user,
            base=base_content.get(amendment.base_revision) or content_of(recommendation),
            proposed=revision_content(amendment.content),
        )
        summaries.append(
            AmendmentSummary(
                amendment=amendment,
                author=user,
                changed_fields=shown.changed_fields,
                opening=plain_text(amendment.reason, SUMMARY_LENGTH),
            )
        )
    return summaries


async def view(session: AsyncSession, recommendation: Recommendation, amendment_id: UUID) -> AmendmentView:
    amendment = await session.get(Amendment, amendment_id)
    require(amendment is not None and amendment.recommendation_id == recommendation.id)
    assert amendment is not None
    base = await revision(session, recommendation.id, amendment.base_revision)
    author = await session.get(User, amendment.author_id) if amendment.author_id else None
    return AmendmentView(
        amendment=amendment,
        author=author,
        base=revision_content(base.content) if base else content_of(recommendation),
        proposed=revision_content(amendment.content),
    )


async def accept(session: AsyncSession, recommendation_id: UUID, amendment_id: UUID, decider: User) -> list[str]:
    """Returns the names of clashing fields (nothing accepted) or an empty list (accepted)."""
    recommendation, access, allowed = await load_for_writing(session, recommendation_id, decider)
    require(allowed.can_decide_amendments)
    amendment = await session.get(Amendment, amendment_id, with_for_update=True)
    require(amendment is not None and amendment.recommendation_id == recommendation.id)
    assert amendment is not None
    require(amendment.status == AmendmentStatus.OPEN)
    base = await revision(session, recommendation.id, amendment.base_revision)
    assert base is not None
    result = merge_fields(
        revision_content(base.content), content_of(recommendation), revision_content(amendment.content), REVISION_FIELDS
    )
    if not result.is_clean:
        return [conflict.name for conflict in result.conflicts]
    author = await session.get(User, amendment.author_id) if amendment.author_id else None
    apply_content(recommendation, result.content)
    message = _("Amendment accepted: %(reason)s", reason=amendment.reason)
    new_revision(session, recommendation, result.content, author or decider, message)
    amendment.status = AmendmentStatus.ACCEPTED
    amendment.decided_by_id = decider.id
    audit.record(
        session,
        action="amendment.accept",
        actor_id=decider.id,
        cycle_id=access.cycle.id,
        target_kind="amendment",
        target_id=amendment.id,
        revision=recommendation.revision_number,
    )
    return []


async def decline(
    session: AsyncSession, recommendation_id: UUID, amendment_id: UUID, form: Form, decider: User
) -> Amendment:
    recommendation, access, allowed = await load_for_writing(session, recommendation_id, decider)
    require(allowed.can_decide_amendments)
    amendment = await session.get(Amendment, amendment_id, with_for_update=True)
    require(amendment is not None and amendment.recommendation_id == recommendation.id)
    assert amendment is not None
    require(amendment.status == AmendmentStatus.OPEN)
    reason = form.text("decision_reason", required=True, max_length=MAX_TEXT)
    if not form.is_valid:
        raise FormError(form)
    amendment.status = AmendmentStatus.DECLINED
    amendment.decided_by_id = decider.id
    amendment.decision_reason = reason
    audit.record(
        session,
        action="amendment.decline",
        actor_id=decider.id,
        cycle_id=access.cycle.id,
        target_kind="amendment",
        target_id=amendment.id,
    )
    return amendment
