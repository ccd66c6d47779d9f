"""Consolidation: building the dossier's content from the database, ordering and numbering the adopted
recommendations, introductions, reading published versions (publishing: workspace/dossier/publishing.py)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from uuid_utils.compat import uuid7

from workspace.accounts.models import User
from workspace.core import audit
from workspace.core.dialects import insert_or_skip
from workspace.core.forms import MAX_TEXT, Form, FormError
from workspace.core.web import found
from workspace.cycles.access import CycleAccess, require
from workspace.cycles.models import Axis, Cycle
from workspace.dossier.content import (
    AxisSection,
    DossierContent,
    Entry,
    MinorityView,
    Votes,
)
from workspace.dossier.models import Dossier, DossierVersion
from workspace.recommendations.models import TEXT_FIELDS, CoAuthor, Recommendation, Status, Translation
from workspace.voting import results as voting
from workspace.voting import rules as voting_rules

IN_THE_DOSSIER = (Status.ADOPTED, Status.NOT_ADOPTED)


def may_consolidate(access: CycleAccess) -> bool:
    """Facilitators consolidate once the vote has closed."""
    return access.is_facilitator and voting_rules.vote_is_closed(access.cycle)


async def get_dossier(session: AsyncSession, cycle: Cycle) -> Dossier:
    """The cycle's draft dossier, created on first use (not flushed: GET requests never write)."""
    dossier = await session.scalar(select(Dossier).where(Dossier.cycle_id == cycle.id))
    return dossier or Dossier(
        cycle_id=cycle.id, introduction_fr="", introduction_nl="", axis_introductions={}, order=[]
    )


async def _dossier_for_writing(session: AsyncSession, cycle: Cycle) -> Dossier:
    """The cycle's draft dossier, created if need be and locked until the transaction ends, so that two
    facilitators saving at once (an order, a decision) each build on what the other saved (SQLite's write
    transactions take turns anyway; PostgreSQL's wait for the row)."""
    insert = insert_or_skip(session, Dossier)
    await session.execute(
        insert.values(
            id=uuid7(), cycle_id=cycle.id, introduction_fr="", introduction_nl="", axis_introductions={}, order=[]
        ).on_conflict_do_nothing(index_elements=["cycle_id"])
    )
    dossier = await session.scalar(
        select(Dossier).where(Dossier.cycle_id == cycle.id).with_for_update().execution_options(populate_existing=True)
    )
    assert dossier is not None
    return dossier


async def in_the_dossier(session: AsyncSession, cycle: Cycle) -> list[Recommendation]:
    return list(
        (
            await session.scalars(
                select(Recommendation)
                .where(Recommendation.cycle_id == cycle.id, Recommendation.status.in_(IN_THE_DOSSIER))
                .order_by(Recommendation.reference.is_(None), Recommendation.reference, Recommendation.created_at)
            )
        ).all()
    )


def ordered_by_axis(
    axes: list[Axis], recommendations: list[Recommendation], order: list[str]
) -> dict[UUID, list[Recommendation]]:
    """Adopted recommendations per axis in the facilitators' order (new ones last, by reference)."""
    rank = {recommendation_id: index for index, recommendation_id in enumerate(order)}
    grouped: dict[UUID, list[Recommendation]] = {axis.id: [] for axis in axes}
    for recommendation in recommendations:
        if recommendation.status == Status.ADOPTED and recommendation.axis_id in grouped:
            grouped[recommendation.axis_id].append(recommendation)
    for items in grouped.values():
        items.sort(key=lambda r: rank.get(str(r.id), len(rank)))
    return grouped


def _votes(result: voting.Result) -> Votes:
    overall = result.tally.overall
    return Votes(
        eligible=result.tally.eligible,
        cast=overall.cast,
        for_=overall.for_,
        against=overall.against,
        abstain=overall.abstain,
        block=overall.block,
        turnout=result.tally.turnout,
        support=overall.support,
        sides={name: count.support for name, count in result.sides.items()},
        adopted=result.verdict.adopted,
        failed=[f"{check.rule}{':' + check.side if check.side else ''}" for check in result.verdict.failed],
    )


def _texts(
    recommendation: Recommendation, translations: dict[str, Translation]
) -> tuple[dict[str, Any], list[str], dict[str, list[str]]]:
    """The text of each field in each language, the original where no translation exists; the languages
    with no translation at all, and per language the fields its translation left empty."""
    original = {name: getattr(recommendation, name) or "" for name in TEXT_FIELDS}
    texts: dict[str, dict[str, str]] = {}
    untranslated: list[str] = []
    missing: dict[str, list[str]] = {}
    for language in ("fr", "nl"):
        if language == recommendation.language:
            texts[language] = original
        elif language in translations:
            stored = translations[language].content
            texts[language] = {name: str(stored.get(name) or original[name]) for name in TEXT_FIELDS}
            empty = [name for name in TEXT_FIELDS if original[name] and not stored.get(name)]
            if empty:
                missing[language] = empty
        else:
            texts[language] = original
            untranslated.append(language)
    return texts, untranslated, missing


async def _carried_titles(session: AsyncSession, recommendations: list[Recommendation]) -> dict[UUID, str]:
    sources = {r.carried_from_id for r in recommendations if r.carried_from_id}
    if not sources:
        return {}
    rows = await session.execute(
        select(Recommendation.id, Recommendation.title, Cycle.year)
        .join(Cycle, Cycle.id == Recommendation.cycle_id)
        .where(Recommendation.id.in_(sources))
    )
    return {row.id: f"{row.year} · {row.title}" for row in rows.all()}


async def _organisations(session: AsyncSession, ids: list[UUID]) -> list[str]:
    if not ids:
        return []
    authors = select(Recommendation.author_id.label("user_id")).where(Recommendation.id.in_(ids))
    coauthors = select(CoAuthor.user_id).where(CoAuthor.recommendation_id.in_(ids))
    names = await session.scalars(
        select(User.organisation).where(
            User.id.in_(authors.union(coauthors).subquery().select()), User.organisation != ""
        )
    )
    return sorted(set(names.all()), key=str.casefold)


async def build_content(session: AsyncSession, access: CycleAccess) -> DossierContent:
    """The draft dossier as it would print now (a handful of queries, whatever the number of recommendations)."""
    cycle = access.cycle
    dossier = await get_dossier(session, cycle)
    recommendations = await in_the_dossier(session, cycle)
    ids = [r.id for r in recommendations]
    translations: dict[UUID, dict[str, Translation]] = defaultdict(dict)
    if ids:
        for translation in await session.scalars(select(Translation).where(Translation.recommendation_id.in_(ids))):
            translations[translation.recommendation_id][translation.language] = translation
    results = await voting.results_for(session, access, recommendations)
    carried = await _carried_titles(session, recommendations)
    axis_codes = {axis.id: axis.code for axis in cycle.axes}

    def entry(recommendation: Recommendation, number: str) -> Entry:
        texts, untranslated, missing = _texts(recommendation, translations[recommendation.id])
        result = results[recommendation.id]
        return Entry(
            id=str(recommendation.id),
            number=number,
            axis_code=axis_codes.get(recommendation.axis_id, ""),
            status=recommendation.status.value,
            original_language=recommendation.language,
            action_level=recommendation.action_level.value,
            text=texts,
            untranslated=untranslated,
            untranslated_fields=missing,
            votes=_votes(result),
            minority_views=[MinorityView(view.choice.value, view.reason) for view in result.objections],
            carried_from=carried.get(recommendation.carried_from_id) if recommendation.carried_from_id else None,
        )

    grouped = ordered_by_axis(list(cycle.axes), recommendations, dossier.order)
    sections = []
    for axis in cycle.axes:
        intro = dossier.axis_introductions.get(str(axis.id), {})
        sections.append(
            AxisSection(
                id=str(axis.id),
                code=axis.code,
                name={"fr": axis.name_fr, "nl": axis.name_nl},
                introduction={"fr": intro.get("fr", ""), "nl": intro.get("nl", "")},
                entries=[entry(r, f"{axis.code}{index}") for index, r in enumerate(grouped[axis.id], start=1)],
            )
        )
    annex = [entry(r, r.reference or "") for r in recommendations if r.status == Status.NOT_ADOPTED]
    return DossierContent(
        cycle_slug=cycle.slug,
        year=cycle.year,
        title={"fr": cycle.title_fr, "nl": cycle.title_nl},
        theme={"fr": cycle.theme_fr, "nl": cycle.theme_nl or cycle.theme_fr},
        introduction={"fr": dossier.introduction_fr, "nl": dossier.introduction_nl},
        axes=sections,
        organisations=await _organisations(session, ids),
        annex=annex,
    )


async def move(session: AsyncSession, access: CycleAccess, recommendation_id: UUID, direction: str) -> None:
    """Move an adopted recommendation one place up or down within its axis (numbers follow)."""
    require(may_consolidate(access) and direction in ("up", "down"))
    dossier = await _dossier_for_writing(session, access.cycle)
    grouped = ordered_by_axis(list(access.cycle.axes), await in_the_dossier(session, access.cycle), dossier.order)
    items = next((items for items in grouped.values() if any(r.id == recommendation_id for r in items)), None)
    items = found(items)
    index = next(n for n, r in enumerate(items) if r.id == recommendation_id)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
    dossier.order = [str(r.id) for axis in access.cycle.axes for r in grouped[axis.id]]


def introductions_form(dossier: Dossier, axes: list[Axis]) -> Form:
    values = {"introduction_fr": dossier.introduction_fr, "introduction_nl": dossier.introduction_nl}
    for axis in axes:
        intro = dossier.axis_introductions.get(str(axis.id), {})
        values[f"axis_{axis.code}_fr"] = intro.get("fr", "")
        values[f"axis_{axis.code}_nl"] = intro.get("nl", "")
    return Form(values=values)


async def save_introductions(session: AsyncSession, access: CycleAccess, form: Form, actor: User) -> None:
    require(may_consolidate(access))
    texts = {name: form.text(name, max_length=MAX_TEXT) for name in ("introduction_fr", "introduction_nl")}
    per_axis = {
        str(axis.id): {lang: form.text(f"axis_{axis.code}_{lang}", max_length=MAX_TEXT) for lang in ("fr", "nl")}
        for axis in access.cycle.axes
    }
    if not form.is_valid:
        raise FormError(form)
    dossier = await _dossier_for_writing(session, access.cycle)
    dossier.introduction_fr = texts["introduction_fr"]
    dossier.introduction_nl = texts["introduction_nl"]
    dossier.axis_introductions = per_axis
    audit.record(
        session,
        action="dossier.introductions",
        actor_id=actor.id,
        cycle_id=access.cycle.id,
        target_kind="cycle",
        target_id=access.cycle.id,
    )


async def versions(session: AsyncSession, cycle: Cycle) -> list[DossierVersion]:
    return list(
        (
            await session.scalars(
                select(DossierVersion).where(DossierVersion.cycle_id == cycle.id).order_by(DossierVersion.number.desc())
            )
        ).all()
    )


async def get_version(session: AsyncSession, cycle: Cycle, number: int) -> DossierVersion:
    version = await session.scalar(
        select(DossierVersion).where(DossierVersion.cycle_id == cycle.id, DossierVersion.number == number)
    )
    version = found(version)
    return version
