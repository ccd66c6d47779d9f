"""The personal-data guard before publishing: the recommendations (their text and translations, confirmed
by their authors) and the minority views (kept or left out by facilitators, workspace/dossier/reasons.py)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from workspace.accounts.models import User
from workspace.core import audit
from workspace.core.forms import Form
from workspace.cycles.access import CycleAccess, require
from workspace.cycles.models import Cycle
from workspace.dossier import reasons
from workspace.dossier.services import in_the_dossier, may_consolidate
from workspace.recommendations import privacy, translations
from workspace.recommendations.models import Translation
from workspace.voting import services as ballots
from workspace.voting.models import Ballot, ReasonReview


@dataclass(frozen=True)
class PrivacyFlag:
    recommendation_id: UUID
    title: str
    count: int


async def privacy_flags(session: AsyncSession, cycle: Cycle) -> list[PrivacyFlag]:
    """Recommendations of the dossier whose text, or one of its translations (they are published too), still
    holds passages the guard flags and nobody confirmed."""
    recommendations = await in_the_dossier(session, cycle)
    translated: dict[UUID, dict[str, Translation]] = defaultdict(dict)
    if recommendations:
        rows = await session.scalars(
            select(Translation).where(Translation.recommendation_id.in_([r.id for r in recommendations]))
        )
        for translation in rows:
            translated[translation.recommendation_id][translation.language] = translation
    flags = []
    for recommendation in recommendations:
        texts = translations.privacy_texts(recommendation, translated[recommendation.id])
        left = privacy.unconfirmed(privacy.find_personal_data(texts), recommendation.privacy_confirmations)
        if left:
            flags.append(PrivacyFlag(recommendation.id, recommendation.title, len({f.fingerprint for f in left})))
    return flags


async def flagged_reasons(session: AsyncSession, cycle: Cycle) -> list[reasons.FlaggedReason]:
    """Minority views of the dossier in which the guard finds personal data, with what was decided."""
    recommendations = await in_the_dossier(session, cycle)
    objections = await ballots.minority_views(session, cycle, [r.id for r in recommendations], with_left_out=True)
    return reasons.flagged(recommendations, objections)


async def review_reason(session: AsyncSession, access: CycleAccess, form: Form, actor: User) -> ReasonReview:
    """Keep a flagged minority view as written, or leave it out of the dossier; returns the decision."""
    require(may_consolidate(access))
    key, decision = form.get("key"), form.get("decision")
    require(decision in reasons.DECISIONS)
    decision = ReasonReview(decision)
    flagged = {reason.key: reason for reason in await flagged_reasons(session, access.cycle)}
    require(key in flagged)
    await session.execute(
        update(Ballot).where(Ballot.id == flagged[key].objection.ballot_id).values(reason_review=decision)
    )
    audit.record(
        session,
        action="dossier.reason_review",
        actor_id=actor.id,
        cycle_id=access.cycle.id,
        target_kind="recommendation",
        target_id=flagged[key].recommendation_id,
        decision=decision,
        kinds=list(flagged[key].kinds),
    )
    return decision
