"""Memory across years: a facilitator carries a recommendation that was not adopted, or adopted and never
answered, into a later cycle. The new draft keeps the text, a first revision saying where it comes from,
and a link back (`carried_from_id`); the follow-up board and both recommendations' pages show the chain both
ways, and the facilitators of either cycle may carry."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from workspace.accounts.models import MembershipRole, User
from workspace.core import audit
from workspace.core.forms import Form, FormError
from workspace.core.i18n import gettext as _
from workspace.core.web import found
from workspace.cycles.access import CycleAccess, cycle_access, require
from workspace.cycles.models import Cycle, Membership, Phase
from workspace.dossier.models import AuthorityAnswer
from workspace.recommendations.content import content_of
from workspace.recommendations.editing import new_revision
from workspace.recommendations.models import Recommendation, RecommendationTag, Status
from workspace.voting import rules as voting_rules

OPEN_PHASES = (Phase.DRAFTING, Phase.DISCUSSION)
"""A recommendation can only be carried into a cycle that still takes new texts."""


async def may_carry(session: AsyncSession, access: CycleAccess) -> bool:
    """Once the vote has closed, the facilitators of either side carry over: those of this cycle into any
    later cycle still open, those of a later open cycle into theirs."""
    if access.user is None or not voting_rules.vote_is_closed(access.cycle):
        return False
    return access.is_facilitator or bool(await target_cycles(session, access))


async def candidates(session: AsyncSession, cycle: Cycle) -> list[Recommendation]:
    """Not adopted, or adopted without any answer; not carried already."""
    answered = exists().where(AuthorityAnswer.recommendation_id == Recommendation.id)
    carried = select(Recommendation.carried_from_id).where(Recommendation.carried_from_id.is_not(None))
    return list(
        (
            await session.scalars(
                select(Recommendation)
                .where(
                    Recommendation.cycle_id == cycle.id,
                    (Recommendation.status == Status.NOT_ADOPTED)
                    | ((Recommendation.status == Status.ADOPTED) & ~answered),
                    Recommendation.id.not_in(carried),
                )
                .order_by(Recommendation.reference.is_(None), Recommendation.reference, Recommendation.title)
            )
        ).all()
    )


async def target_cycles(session: AsyncSession, access: CycleAccess) -> list[Cycle]:
    """Later cycles still open to new texts: every one for this cycle's facilitators and for admins, and
    for a facilitator of a later cycle only the cycles they facilitate."""
    user = found(access.user)
    query = (
        select(Cycle)
        .where(Cycle.year > access.cycle.year, Cycle.phase.in_(OPEN_PHASES))
        .options(selectinload(Cycle.axes))
        .order_by(Cycle.year)
    )
    if not (user.is_admin or access.is_facilitator):
        mine = select(Membership.cycle_id).where(
            Membership.user_id == user.id, Membership.role == MembershipRole.FACILITATOR
        )
        query = query.where(Cycle.id.in_(mine))
    return list((await session.scalars(query)).all())


async def carry(session: AsyncSession, access: CycleAccess, form: Form, actor: User) -> Recommendation:
    require(await may_carry(session, access))
    try:
        recommendation_id = UUID(form.get("recommendation_id"))
    except ValueError:
        require(False)
        raise
    source = next((r for r in await candidates(session, access.cycle) if r.id == recommendation_id), None)
    source = found(source)
    targets = {cycle.slug: cycle for cycle in await target_cycles(session, access)}
    target = targets.get(form.get("target"))
    if target is None:
        form.add_error("target", _("Choose a later cycle that still takes new recommendations."))
        raise FormError(form)
    source = await session.scalar(
        select(Recommendation)
        .where(Recommendation.id == source.id)
        .options(selectinload(Recommendation.tags), selectinload(Recommendation.axis))
    )
    assert source is not None
    axis = next((a for a in target.axes if a.code == source.axis.code), target.axes[0])
    content = content_of(source)
    carried = Recommendation(
        cycle_id=target.id,
        axis_id=axis.id,
        author_id=source.author_id,
        status=Status.DRAFT,
        language=source.language,
        revision_number=0,
        title=source.title,
        action_level=source.action_level,
        carried_from_id=source.id,
        tags=[RecommendationTag(tag=tag.tag) for tag in source.tags],
        coauthors=[],
        privacy_confirmations=list(source.privacy_confirmations),
    )
    for name in (
        "finding",
        "proposal",
        "institutions",
        "expected_effect",
        "scheme_fr",
        "scheme_wal",
        "scheme_vl",
        "harmonisation",
    ):
        setattr(carried, name, getattr(source, name))
    session.add(carried)
    await session.flush()
    new_revision(session, carried, content, actor, _("Carried over from %(year)s", year=access.cycle.year))
    audit.record(
        session,
        action="recommendation.carry",
        actor_id=actor.id,
        cycle_id=target.id,
        target_kind="recommendation",
        target_id=carried.id,
        source=str(source.id),
    )
    return carried


@dataclass(frozen=True)
class Link:
    recommendation_id: UUID
    year: int
    slug: str


async def links(session: AsyncSession, ids: list[UUID]) -> tuple[dict[UUID, Link], dict[UUID, Link]]:
    """For these recommendations: where each came from, and where each was carried to."""
    if not ids:
        return {}, {}
    came_from: dict[UUID, Link] = {}
    carried_to: dict[UUID, Link] = {}
    here = await session.execute(
        select(Recommendation.id, Recommendation.carried_from_id).where(
            Recommendation.id.in_(ids), Recommendation.carried_from_id.is_not(None)
        )
    )
    sources = {row[0]: row[1] for row in here.all()}
    if sources:
        rows = await session.execute(
            select(Recommendation.id, Cycle.year, Cycle.slug)
            .join(Cycle, Cycle.id == Recommendation.cycle_id)
            .where(Recommendation.id.in_(list(sources.values())))
        )
        by_id = {row.id: Link(row.id, row.year, row.slug) for row in rows}
        came_from = {rid: by_id[source] for rid, source in sources.items() if source in by_id}
    rows = await session.execute(
        select(Recommendation.id, Recommendation.carried_from_id, Cycle.year, Cycle.slug)
        .join(Cycle, Cycle.id == Recommendation.cycle_id)
        .where(Recommendation.carried_from_id.in_(ids))
    )
    for row in rows:
        carried_to[row.carried_from_id] = Link(row.id, row.year, row.slug)
    return came_from, carried_to


async def carried_forward(session: AsyncSession, cycle: Cycle) -> int:
    """How many of the cycle's recommendations were carried into a later one, adopted or not."""
    here = select(Recommendation.id).where(Recommendation.cycle_id == cycle.id)
    return int(
        await session.scalar(
            select(func.count()).select_from(Recommendation).where(Recommendation.carried_from_id.in_(here))
        )
        or 0
    )


async def readable(session: AsyncSession, user: User | None, link: Link) -> bool:
    """Whether the reader may open the cycle a link points into (a draft carried into a later cycle is
    for that cycle's people)."""
    cycle = await session.scalar(select(Cycle).where(Cycle.slug == link.slug))
    return cycle is not None and (await cycle_access(session, user, cycle)).can_view


async def may_open(session: AsyncSession, user: User | None, recommendation: Recommendation) -> bool:
    cycle = await session.get(Cycle, recommendation.cycle_id)
    return cycle is not None and (await cycle_access(session, user, cycle)).can_view
