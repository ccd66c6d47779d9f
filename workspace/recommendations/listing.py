"""Lists of recommendations (an axis, the search, the ballot paper): what each row tells at a glance
(status, comments, open amendments, languages, and support and consensus once the vote's results are
visible), and how a reader filters and orders them.

Every list reads in a fixed number of queries whatever the number of recommendations: the ids of all
those matching in one, the facts of a page in one grouped query per kind (the domains above add theirs
through `signals.list_shown`), the page's recommendations in one (with their relations).
Filters only ever narrow what the list's own visibility rule lets through.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from sqlalchemy import ColumnElement, Select, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from workspace.core.i18n import LANGUAGES
from workspace.core.i18n import gettext as _
from workspace.cycles.access import CycleAccess
from workspace.cycles.models import Axis, Cycle, WorkingGroup
from workspace.recommendations.models import Amendment, AmendmentStatus, Recommendation, Status, Translation
from workspace.recommendations.services import Page, visible_statuses
from workspace.recommendations.signals import list_shown, results_visible

STATUS_ORDER = (Status.DRAFT, Status.SUBMITTED, Status.ADOPTED, Status.NOT_ADOPTED, Status.WITHDRAWN, Status.MERGED)
"""The "by status" order: the life of a recommendation, what is still alive first."""

RESULT_ORDERS = frozenset({"support", "consensus"})
"""Orders that need the vote's results: offered only where the reader may see them."""
AXIS_ORDERS = ("axis", "newest", "discussed", "status", "support", "consensus")
COUNTED_ORDERS = frozenset({"discussed"}) | RESULT_ORDERS
"""Orders on facts the domains above count: sorted here, over every matching recommendation."""


def order_labels() -> dict[str, str]:
    return {
        "relevance": _("Best match"),
        "axis": _("Order in the axis"),
        "newest": _("Newest first"),
        "discussed": _("Most discussed"),
        "status": _("By status"),
        "support": _("Highest support"),
        "consensus": _("Highest cross-border consensus"),
    }


@dataclass(frozen=True)
class ListFilters:
    """What the reader chose; values they may not choose (or that mean nothing) are dropped, never refused."""

    axis: str = ""
    group: str = ""
    """A working group's id."""
    status: str = ""
    language: str = ""
    order: str = ""

    @classmethod
    def from_query(
        cls,
        *,
        orders: Sequence[str],
        order: str = "",
        axis: str = "",
        group: str = "",
        status: str = "",
        language: str = "",
    ) -> ListFilters:
        """`orders`: those this list offers this reader, its default first."""
        return cls(
            axis=axis.strip().lower()[:8],
            group=_uuid_text(group),
            status=status if status in {member.value for member in Status} else "",
            language=language if language in LANGUAGES else "",
            order=chosen_order(order, orders),
        )

    def values(self) -> dict[str, str]:
        return {"axis": self.axis, "group": self.group, "status": self.status, "language": self.language}

    @property
    def active(self) -> bool:
        return any(self.values().values())

    def conditions(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if self.axis:
            conditions.append(Recommendation.axis_id.in_(select(Axis.id).where(func.lower(Axis.code) == self.axis)))
        if self.group:
            conditions.append(Recommendation.group_id == UUID(self.group))
        if self.status:
            conditions.append(Recommendation.status == Status(self.status))
        if self.language:
            translated = select(Translation.recommendation_id).where(Translation.language == self.language)
            conditions.append(or_(Recommendation.language == self.language, Recommendation.id.in_(translated)))
        return conditions

    def query_string(self, default_order: str, **changes: Any) -> str:
        values: dict[str, Any] = {**self.values(), "order": "" if self.order == default_order else self.order}
        values.update(changes)
        return urlencode({name: value for name, value in values.items() if value not in ("", None, 1)})


def _uuid_text(text: str) -> str:
    try:
        return str(UUID(text.strip()[:36]))
    except ValueError:
        return ""


def chosen_order(wanted: str, orders: Sequence[str]) -> str:
    """The order asked for if this list offers it to this reader, else the list's first."""
    return wanted if wanted in orders else orders[0]


def sql_order(order: str) -> list[Any]:
    """Orders the database sorts by itself; the others start from the order in the axis."""
    in_axis = [Recommendation.reference.is_(None), Recommendation.reference, Recommendation.created_at]
    if order == "newest":
        return [Recommendation.created_at.desc(), Recommendation.id.desc()]
    if order == "status":
        rank = case(*[(Recommendation.status == status, index) for index, status in enumerate(STATUS_ORDER)], else_=99)
        return [rank, *in_axis]
    axis_position = select(Axis.position).where(Axis.id == Recommendation.axis_id).scalar_subquery()
    return [axis_position, *in_axis, Recommendation.id]


@dataclass(frozen=True)
class Facts:
    """What a row tells besides the title. None: not shown to this reader (or, for the vote, not yet)."""

    comments: int = 0
    open_amendments: int | None = None
    languages: tuple[str, ...] = ()
    support: float | None = None
    consensus: float | None = None
    results_visible: bool = False


@dataclass(frozen=True)
class Row:
    recommendation: Recommendation
    facts: Facts


@dataclass
class Listing:
    rows: list[Row]
    page: Page
    filters: ListFilters
    extra: dict[UUID, Any] = field(default_factory=dict)
    """Whatever the caller attached to each id (the search's snippets)."""


async def facts_of(
    session: AsyncSession,
    ids: Sequence[UUID],
    cycle_of: dict[UUID, UUID],
    accesses: dict[UUID, CycleAccess],
    languages_of: dict[UUID, str],
) -> dict[UUID, Facts]:
    """The facts of these recommendations: two queries here, and those of the domains above."""
    if not ids:
        return {}
    wanted = list(ids)
    amendments = dict(
        (
            await session.execute(
                select(Amendment.recommendation_id, func.count())
                .where(Amendment.recommendation_id.in_(wanted), Amendment.status == AmendmentStatus.OPEN)
                .group_by(Amendment.recommendation_id)
            )
        ).all()
    )
    translated: dict[UUID, set[str]] = {}
    for recommendation_id, language in (
        await session.execute(
            select(Translation.recommendation_id, Translation.language).where(Translation.recommendation_id.in_(wanted))
        )
    ).all():
        translated.setdefault(recommendation_id, set()).add(language)
    added: dict[UUID, dict[str, Any]] = {}
    for _receiver, part in await list_shown.send_async(
        None, session=session, ids=wanted, cycle_of=cycle_of, accesses=accesses
    ):
        for recommendation_id, values in (part or {}).items():
            added.setdefault(recommendation_id, {}).update(values)
    result = {}
    for recommendation_id in wanted:
        access = accesses[cycle_of[recommendation_id]]
        present = translated.get(recommendation_id, set()) | {languages_of[recommendation_id]}
        result[recommendation_id] = Facts(
            open_amendments=amendments.get(recommendation_id, 0) if access.is_participant else None,
            languages=tuple(language for language in LANGUAGES if language in present),
            **added.get(recommendation_id, {}),
        )
    return result


def _sort_key(order: str, facts: Facts) -> tuple[int, float]:
    """Highest first; what has no figure (results not visible) last."""
    value: float | None = {"discussed": facts.comments, "support": facts.support, "consensus": facts.consensus}[order]
    return (1, 0.0) if value is None else (0, -value)


AccessesOf = Callable[[Iterable[Cycle]], Awaitable[dict[UUID, CycleAccess]]]
"""The reader's access to each of some cycles (for a list that spans cycles, such as the search)."""


async def list_page(
    session: AsyncSession,
    statement: Select[Any],
    filters: ListFilters,
    accesses: dict[UUID, CycleAccess] | AccessesOf,
    *,
    order_by: Sequence[Any],
    page: int = 1,
    size: int | None = 20,
) -> Listing:
    """One page of the recommendations `statement` selects (already limited to what the reader may see),
    narrowed by `filters` and in their order. `accesses`: the reader's access per cycle id, or a function
    giving it for the cycles listed."""
    matching = statement.where(*filters.conditions())
    rows = (
        await session.execute(
            matching.with_only_columns(Recommendation.id, Recommendation.cycle_id, Recommendation.language).order_by(
                *order_by
            )
        )
    ).all()
    ids = [row.id for row in rows]
    cycle_of = {row.id: row.cycle_id for row in rows}
    languages_of = {row.id: row.language for row in rows}
    size = size or max(1, len(ids))
    facts: dict[UUID, Facts] = {}
    if filters.order in COUNTED_ORDERS and ids:
        if callable(accesses):
            cycles = (await session.scalars(select(Cycle).where(Cycle.id.in_(set(cycle_of.values()))))).all()
            accesses = await accesses(cycles)
        facts = await facts_of(session, ids, cycle_of, accesses, languages_of)
        ids.sort(key=lambda recommendation_id: _sort_key(filters.order, facts[recommendation_id]))
    total = len(ids)
    page_info = Page(number=max(1, min(page, max(1, -(-total // size)))), size=size, total=total)
    shown = ids[(page_info.number - 1) * size : page_info.number * size]
    if not shown:
        return Listing([], page_info, filters)
    loaded = {
        recommendation.id: recommendation
        for recommendation in (
            await session.scalars(
                select(Recommendation)
                .where(Recommendation.id.in_(shown))
                .options(
                    selectinload(Recommendation.author),
                    selectinload(Recommendation.tags),
                    selectinload(Recommendation.group),
                    selectinload(Recommendation.axis).selectinload(Axis.cycle),
                )
            )
        ).all()
    }
    if callable(accesses):
        accesses = await accesses({recommendation.axis.cycle for recommendation in loaded.values()})
    if not facts:
        facts = await facts_of(session, shown, cycle_of, accesses, languages_of)
    return Listing([Row(loaded[i], facts[i]) for i in shown if i in loaded], page_info, filters)


async def groups_listed(session: AsyncSession, statement: Select[Any]) -> list[WorkingGroup]:
    """The working groups of the recommendations the statement lets the reader see: the group filter's
    choices (no other group's name is shown)."""
    group_ids = statement.with_only_columns(Recommendation.group_id).where(Recommendation.group_id.is_not(None))
    return list(
        (
            await session.scalars(
                select(WorkingGroup).where(WorkingGroup.id.in_(group_ids)).order_by(WorkingGroup.name, WorkingGroup.id)
            )
        ).all()
    )


async def any_results_visible(accesses: Iterable[CycleAccess]) -> bool:
    """Whether the vote's results of one of these cycles are visible to the reader (the voting domain's rule)."""
    for access in accesses:
        if any(answer for _receiver, answer in await results_visible.send_async(access)):
            return True
    return False


async def offered_orders(base: Iterable[str], accesses: Iterable[CycleAccess]) -> tuple[str, ...]:
    """The list's orders, without those by vote results where the reader may not see them."""
    visible = await any_results_visible(accesses)
    return tuple(order for order in base if visible or order not in RESULT_ORDERS)


def axis_statement(access: CycleAccess, axis: Axis) -> Select[Any]:
    """What the reader may see on an axis: its recommendations in the cycle, in the statuses they may read."""
    return select(Recommendation).where(
        Recommendation.cycle_id == access.cycle.id,
        Recommendation.axis_id == axis.id,
        Recommendation.status.in_(visible_statuses(access)),
    )


@dataclass
class AxisList:
    listing: Listing
    orders: tuple[str, ...]
    groups: list[WorkingGroup]


async def axis_list(
    session: AsyncSession, access: CycleAccess, axis: Axis, raw: dict[str, str], *, page: int = 1
) -> AxisList:
    """One page of an axis as the reader filtered and ordered it (the axis itself is the page's)."""
    orders = await offered_orders(AXIS_ORDERS, [access])
    filters = ListFilters.from_query(orders=orders, **{**raw, "axis": ""})
    statement = axis_statement(access, axis)
    listing = await list_page(
        session, statement, filters, {access.cycle.id: access}, order_by=sql_order(filters.order), page=page
    )
    return AxisList(listing=listing, orders=orders, groups=await groups_listed(session, statement))
