"""Consolidation: building the dossier's content from the database, ordering and numbering the adopted
recommendations, introductions, and publishing frozen versions."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from uuid_utils.compat import uuid7

from workspace.accounts.models import User
from workspace.core import audit
from workspace.core.forms import MAX_TEXT, Form, FormError
from workspace.core.i18n import gettext as _
from workspace.cycles.access import CycleAccess, require
from workspace.cycles.models import Axis, Cycle, Phase
from workspace.discussion import comments
from workspace.discussion.models import Comment, CommentEdit
from workspace.dossier import reasons
from workspace.dossier.content import (
    AxisSection,
    DiscussionComment,
    DossierContent,
    Entry,
    EntryDiscussion,
    MinorityView,
    Votes,
)
from workspace.dossier.models import Dossier, DossierVersion
from workspace.recommendations import privacy, translations
from workspace.recommendations.models import TEXT_FIELDS, CoAuthor, Recommendation, Status, Translation
from workspace.voting import results as voting
from workspace.voting import rules as voting_rules
from workspace.voting import services as ballots
from workspace.voting.models import Ballot

IN_THE_DOSSIER = (Status.ADOPTED, Status.NOT_ADOPTED)
_INSERTS = {"sqlite": sqlite_insert, "postgresql": postgresql_insert}
MAX_NOTE = 2_000


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
    insert = _INSERTS[session.bind.dialect.name](Dossier.__table__)
    await session.execute(
        insert.values(id=uuid7(), cycle_id=cycle.id, introduction_fr="", introduction_nl="",
                      axis_introductions={}, order=[])
        .on_conflict_do_nothing(index_elements=["cycle_id"])
    )  # fmt: skip
    dossier = await session.scalar(
        select(Dossier).where(Dossier.cycle_id == cycle.id).with_for_update().execution_options(populate_existing=True)
    )
    assert dossier is not None
    return dossier


async def _recommendations(session: AsyncSession, cycle: Cycle) -> list[Recommendation]:
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


def _texts(recommendation: Recommendation, translations: dict[str, Translation]) -> tuple[dict, list[str]]:  # type: ignore[type-arg]
    original = {name: getattr(recommendation, name) or "" for name in TEXT_FIELDS}
    texts: dict[str, dict[str, str]] = {}
    untranslated: list[str] = []
    for language in ("fr", "nl"):
        if language == recommendation.language:
            texts[language] = original
        elif language in translations:
            stored = translations[language].content
            texts[language] = {name: str(stored.get(name) or original[name]) for name in TEXT_FIELDS}
        else:
            texts[language] = original
            untranslated.append(language)
    return texts, untranslated


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
    recommendations = await _recommendations(session, cycle)
    ids = [r.id for r in recommendations]
    translations: dict[UUID, dict[str, Translation]] = defaultdict(dict)
    if ids:
        for translation in await session.scalars(select(Translation).where(Translation.recommendation_id.in_(ids))):
            translations[translation.recommendation_id][translation.language] = translation
    results = await voting.results_for(session, access, recommendations)
    carried = await _carried_titles(session, recommendations)
    axis_codes = {axis.id: axis.code for axis in cycle.axes}

    def entry(recommendation: Recommendation, number: str) -> Entry:
        texts, untranslated = _texts(recommendation, translations[recommendation.id])
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
        select(Comment.id, Comment.recommendation_id, Comment.parent_id, Comment.body, Comment.created_at,
               Comment.hidden_at, Comment.deleted_at, User.display_name)
        .outerjoin(User, User.id == Comment.author_id)
        .where(Comment.recommendation_id.in_(ids))
        .order_by(Comment.created_at, Comment.id)
    )  # fmt: skip
    if until is not None:
        query = query.where(Comment.created_at <= until)
    rows = (await session.execute(query)).all() if ids else []
    text_then = await _texts_before_edits(session, ids, until) if until and rows else {}
    children: dict[UUID | None, list] = defaultdict(list)  # type: ignore[type-arg]
    roots: dict[UUID, list] = defaultdict(list)  # type: ignore[type-arg]
    known = {row.id for row in rows}
    for row in rows:
        if row.parent_id is not None and row.parent_id in known:
            children[row.parent_id].append(row)
        else:
            roots[row.recommendation_id].append(row)

    def thread(root) -> list[DiscussionComment]:  # type: ignore[no-untyped-def]
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


@dataclass(frozen=True)
class PrivacyFlag:
    recommendation_id: UUID
    title: str
    count: int


async def privacy_flags(session: AsyncSession, cycle: Cycle) -> list[PrivacyFlag]:
    """Recommendations of the dossier whose text, or one of its translations (they are published too), still
    holds passages the guard flags and nobody confirmed."""
    recommendations = await _recommendations(session, cycle)
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
    recommendations = await _recommendations(session, cycle)
    objections = await ballots.minority_views(session, cycle, [r.id for r in recommendations], with_left_out=True)
    return reasons.flagged(recommendations, objections)


async def review_reason(session: AsyncSession, access: CycleAccess, form: Form, actor: User) -> str:
    """Keep a flagged minority view as written, or leave it out of the dossier; returns the decision."""
    require(may_consolidate(access))
    key, decision = form.get("key"), form.get("decision")
    require(decision in reasons.DECISIONS)
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


async def move(session: AsyncSession, access: CycleAccess, recommendation_id: UUID, direction: str) -> None:
    """Move an adopted recommendation one place up or down within its axis (numbers follow)."""
    require(may_consolidate(access) and direction in ("up", "down"))
    dossier = await _dossier_for_writing(session, access.cycle)
    grouped = ordered_by_axis(list(access.cycle.axes), await _recommendations(session, access.cycle), dossier.order)
    items = next((items for items in grouped.values() if any(r.id == recommendation_id for r in items)), None)
    require(items is not None)
    assert items is not None
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
    require(version is not None)
    assert version is not None
    return version


async def publish(session: AsyncSession, access: CycleAccess, form: Form, actor: User) -> DossierVersion:
    """Freeze the dossier as a new version. A correction (any version after the first) says what it changed.

    Refused while the personal data guard flags passages nobody confirmed. The first publication moves a
    cycle in consolidation to the published phase.
    """
    require(may_consolidate(access))
    cycle = access.cycle
    note = form.text("note", max_length=MAX_NOTE)
    latest = await session.scalar(select(func.max(DossierVersion.number)).where(DossierVersion.cycle_id == cycle.id))
    if latest and not note:
        form.add_error("note", _("Say what this correction changes: readers of the earlier version need to know."))
    flags = await privacy_flags(session, cycle)
    if flags:
        form.add_error(
            "form",
            _(
                "The dossier cannot be published yet: %(count)s recommendation(s) still hold passages that look "
                "like personal data. Their authors must remove them or confirm them first.",
                count=len(flags),
            ),
        )
    undecided = [reason for reason in await flagged_reasons(session, cycle) if reason.decision is None]
    if undecided:
        form.add_error(
            "minority-views",
            _(
                "The dossier cannot be published yet: %(count)s minority view(s) hold passages that look like "
                "personal data. Keep each one as written or leave it out of the dossier first.",
                count=len(undecided),
            ),
        )
    if not form.is_valid:
        raise FormError(form)
    content = await build_content(session, access)
    number = (latest or 0) + 1
    content.version = number
    content.published_on = date.today().isoformat()
    version = DossierVersion(
        cycle_id=cycle.id, number=number, published_by_id=actor.id, note=note, content=content.to_dict()
    )
    session.add(version)
    by_id = {entry.id: entry.number for entry in content.entries()}
    for recommendation in await _recommendations(session, cycle):
        if str(recommendation.id) in by_id:
            recommendation.reference = by_id[str(recommendation.id)]
    if cycle.phase == Phase.CONSOLIDATION:
        cycle.phase = Phase.PUBLISHED
    audit.record(
        session,
        action="dossier.publish",
        actor_id=actor.id,
        cycle_id=cycle.id,
        target_kind="cycle",
        target_id=cycle.id,
        version=number,
        note=note,
    )
    return version
