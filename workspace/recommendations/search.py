"""Full-text search over recommendations, limited to what the reader may see.

SQLite: the FTS5 table `search_recommendation` (migration 0002, kept in step by triggers, diacritics
removed), ranked by bm25 with the title weighing more than the body. PostgreSQL: the GIN expression index
of the same migration; the document below is that exact expression, so the planner uses the index.

User input never reaches the full-text syntax as such: it is cut into words (letters and digits only),
each word becomes a quoted prefix term, and all words must match. `"`, `NEAR(`, `*` or `OR` alone are
just text, and an input without any word finds nothing rather than failing.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from markupsafe import Markup, escape
from sqlalchemy import ColumnElement, Select, and_, column, func, literal_column, or_, select, table, true
from sqlalchemy.ext.asyncio import AsyncSession

from workspace.accounts.models import Side, User
from workspace.cycles.models import Axis, Cycle, Membership, Phase, WorkingGroup
from workspace.cycles.services import accesses_to
from workspace.recommendations.listing import Facts, ListFilters, groups_listed, list_page, offered_orders, sql_order
from workspace.recommendations.models import Recommendation, RecommendationTag, Status
from workspace.recommendations.services import PUBLIC_STATUSES, Page
from workspace.recommendations.signals import searched

PAGE_SIZE = 20
SEARCH_ORDERS = ("relevance", "newest", "axis", "discussed", "status", "support", "consensus")
"""The search's orders, best match first (newest first when no word is given)."""
MAX_WORDS = 12
MAX_WORD_LENGTH = 60
MAX_QUERY_LENGTH = 500
SNIPPET_LENGTH = 240

_WORD = re.compile(r"[^\W_]+")

BODY_COLUMNS = (
    "finding",
    "proposal",
    "institutions",
    "expected_effect",
    "scheme_fr",
    "scheme_wal",
    "scheme_vl",
    "harmonisation",
)
"""The columns of migration 0002's index, in its order (the PostgreSQL expression must be identical)."""

_fts = table("search_recommendation", column("recommendation_id"), column("title"), column("body"))

# migration 0002: to_tsvector('simple'::regconfig, coalesce(title, '') || ' ' || coalesce(finding, '') || ...)
_PG_DOCUMENT: ColumnElement[Any] = literal_column(
    "to_tsvector('simple'::regconfig, "
    + " || ' ' || ".join(f"coalesce(recommendation.{name}, '')" for name in ("title", *BODY_COLUMNS))
    + ")"
)


def words(text: str | None) -> list[str]:
    """The words of a query: letters and digits only, lower-cased, at most MAX_WORDS of them."""
    normalised = unicodedata.normalize("NFC", (text or "")[:MAX_QUERY_LENGTH]).lower()
    found: list[str] = []
    for word in _WORD.findall(normalised):
        word = word[:MAX_WORD_LENGTH]
        if word not in found:
            found.append(word)
        if len(found) == MAX_WORDS:
            break
    return found


def fts5_query(text: str | None) -> str:
    """A safe FTS5 expression: every word quoted, prefix-matched, all required ("" when no word)."""
    return " AND ".join('"' + word.replace('"', '""') + '"*' for word in words(text))


def tsquery_text(text: str | None) -> str:
    """A safe to_tsquery('simple', ...) operand: prefix words joined by & ("" when no word)."""
    return " & ".join(f"{word}:*" for word in words(text))


@dataclass(frozen=True)
class Filters:
    """What the reader asked for; unknown values are dropped rather than failing."""

    q: str = ""
    cycle: str = ""
    axis: str = ""
    status: str = ""
    tag: str = ""
    side: str = ""
    group: str = ""
    language: str = ""
    order: str = "relevance"

    @classmethod
    def from_query(cls, orders: Sequence[str] = SEARCH_ORDERS, **raw: str | None) -> Filters:
        """`orders`: those offered to the reader (without the vote's results where they may not see them)."""

        def clean(name: str, length: int = 100) -> str:
            return " ".join((raw.get(name) or "").split())[:length]

        status = clean("status")
        side = clean("side")
        listed = ListFilters.from_query(
            orders=orders,
            order=clean("order", 20),
            group=clean("group", 40),
            language=clean("language", 2),
        )
        return cls(
            q=clean("q", MAX_QUERY_LENGTH),
            cycle=clean("cycle", 60),
            axis=clean("axis", 8).lower(),
            status=status if status in {member.value for member in Status} else "",
            tag=clean("tag", 60),
            side=side if side in {member.value for member in Side} else "",
            group=listed.group,
            language=listed.language,
            order=listed.order,
        )

    @property
    def active(self) -> bool:
        return any((self.q, self.cycle, self.axis, self.status, self.tag, self.side, self.group, self.language))

    @property
    def listed(self) -> ListFilters:
        """The filters every list of recommendations shares (the others are the search's own)."""
        return ListFilters(group=self.group, language=self.language, order=self.order)

    def query_string(self, **changes: Any) -> str:
        values = {
            "q": self.q,
            "cycle": self.cycle,
            "axis": self.axis,
            "status": self.status,
            "tag": self.tag,
            "side": self.side,
            "group": self.group,
            "language": self.language,
            "order": "" if self.order == SEARCH_ORDERS[0] else self.order,
            **changes,
        }
        return urlencode({name: value for name, value in values.items() if value not in ("", None, 1)})


@dataclass(frozen=True)
class Passage:
    """A text beyond the recommendation's own that matched (a comment), shown under its row and linked to."""

    text: str
    fragment: str
    """The element of the recommendation page it stands in ("comment-…")."""
    author: str
    written_at: datetime


@dataclass(frozen=True)
class Beyond:
    """What a domain above adds to the search (`signals.searched`)."""

    ids: Select[Any]
    passages: Callable[[AsyncSession, list[UUID]], Awaitable[dict[UUID, Passage]]]


@dataclass(frozen=True)
class Result:
    recommendation: Recommendation
    snippet: Markup
    facts: Facts = field(default_factory=Facts)
    passage: Passage | None = None
    passage_snippet: Markup = field(default_factory=Markup)


@dataclass
class SearchResults:
    results: list[Result]
    page: Page
    filters: Filters
    words: list[str] = field(default_factory=list)

    def page_url(self, number: int) -> str:
        query = self.filters.query_string(page=number)
        return f"/search?{query}" if query else "/search"


def visibility(user: User | None) -> ColumnElement[bool]:
    """The same rules as the cycle and recommendation pages: a cycle's participants (and admins) see
    every status of it; everyone sees the decided recommendations of published cycles."""
    public_cycles = select(Cycle.id).where(Cycle.phase.in_([phase for phase in Phase if phase.is_public]))
    public = and_(Recommendation.cycle_id.in_(public_cycles), Recommendation.status.in_(PUBLIC_STATUSES))
    if user is None:
        return public
    if user.is_admin:
        return true()
    mine = select(Membership.cycle_id).where(Membership.user_id == user.id)
    return or_(Recommendation.cycle_id.in_(mine), public)


def _filter_conditions(filters: Filters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.cycle:
        conditions.append(Recommendation.cycle_id.in_(select(Cycle.id).where(Cycle.slug == filters.cycle)))
    if filters.axis:
        conditions.append(Recommendation.axis_id.in_(select(Axis.id).where(func.lower(Axis.code) == filters.axis)))
    if filters.status:
        conditions.append(Recommendation.status == Status(filters.status))
    if filters.tag:
        # Exactly as listed, or in another case (SQLite's lower() only folds ASCII: "Éducation" needs both).
        tagged = select(RecommendationTag.recommendation_id).where(
            or_(RecommendationTag.tag == filters.tag, func.lower(RecommendationTag.tag) == filters.tag.lower())
        )
        conditions.append(Recommendation.id.in_(tagged))
    if filters.side:
        conditions.append(Recommendation.author_id.in_(select(User.id).where(User.side == Side(filters.side))))
    return conditions


def beyond(dialect: str, query_words: list[str]) -> list[Beyond]:
    """The other texts the search looks in, from the domains above (the comments)."""
    if not query_words:
        return []
    return [found for _receiver, found in searched.send(None, dialect=dialect, words=query_words) if found]


def search_statement(
    dialect: str, user: User | None, filters: Filters, elsewhere: Sequence[Beyond] = ()
) -> tuple[Select[Recommendation], list[Any]]:
    """The query (visible, filtered, matching in its own text or in one of `elsewhere`'s) and its order:
    best match in its own text first, then matches elsewhere, then newest first."""
    statement = select(Recommendation).where(visibility(user), *_filter_conditions(filters))
    order: list[Any] = []
    others = [Recommendation.id.in_(found.ids) for found in elsewhere]
    if words(filters.q):
        if dialect == "sqlite":
            fts: ColumnElement[Any] = literal_column("search_recommendation")
            hits = (
                select(
                    _fts.c.recommendation_id.label("recommendation_id"),
                    # Title matches weigh more than body matches (the id column is not indexed).
                    func.bm25(fts, 0.0, 5.0, 1.0).label("rank"),
                )
                .select_from(_fts)
                .where(fts.op("MATCH")(fts5_query(filters.q)))
                .subquery("hits")
            )
            # Both hold the GUID's 16 bytes: the trigger copies recommendation.id as it is.
            statement = statement.outerjoin(hits, hits.c.recommendation_id == Recommendation.id).where(
                or_(hits.c.recommendation_id.is_not(None), *others)
            )
            order.extend([hits.c.rank.is_(None), hits.c.rank.asc()])
        else:
            tsquery = func.to_tsquery(literal_column("'simple'::regconfig"), tsquery_text(filters.q))
            statement = statement.where(or_(_PG_DOCUMENT.op("@@")(tsquery), *others))
            order.append(func.ts_rank(_PG_DOCUMENT, tsquery).desc())
    order.extend([Recommendation.created_at.desc(), Recommendation.id.desc()])
    return statement, order


async def search(
    session: AsyncSession, user: User | None, filters: Filters, *, page: int = 1, size: int = PAGE_SIZE
) -> SearchResults:
    """One page of the recommendations the reader may see that match, in the order asked (best match
    first by default, newest first without words), with the facts of each row, in a fixed number of queries."""
    query_words = words(filters.q)
    if filters.q and not query_words:
        # Only punctuation or operators: nothing to look for.
        return SearchResults([], Page(number=1, size=size, total=0), filters, query_words)
    assert session.bind is not None
    dialect = session.bind.dialect.name
    elsewhere = beyond(dialect, query_words)
    statement, relevance = search_statement(dialect, user, filters, elsewhere)
    listed = await list_page(
        session,
        statement,
        filters.listed,
        lambda cycles: accesses_to(session, user, cycles),
        order_by=relevance if filters.order == "relevance" else sql_order(filters.order),
        page=page,
        size=size,
    )
    ids = [row.recommendation.id for row in listed.rows]
    found: dict[UUID, Passage] = {}
    for other in elsewhere:
        for recommendation_id, first in (await other.passages(session, ids)).items():
            found.setdefault(recommendation_id, first)
    results = []
    for row in listed.rows:
        passage = found.get(row.recommendation.id)
        results.append(
            Result(
                row.recommendation,
                snippet(row.recommendation.finding, query_words),
                row.facts,
                passage,
                snippet(passage.text, query_words) if passage else Markup(""),
            )
        )
    return SearchResults(results, listed.page, filters, query_words)


def _fold(text: str) -> str:
    """Lower-case without accents, one character for one character (so positions stay the same)."""
    return "".join((unicodedata.normalize("NFKD", char)[:1] or char).lower()[:1] or char for char in text)


_MARKDOWN_NOISE = re.compile(r"[*_`#|~\[\]]+|^\s*>[>\s]*|^\s*[-+]\s+|^\s*\d+\.\s+", re.M)


def plain_text(markdown: str | None) -> str:
    """Markdown reduced to its words, for a one-paragraph excerpt."""
    without_links = re.sub(r"\]\([^)]*\)", "]", markdown or "")
    return " ".join(_MARKDOWN_NOISE.sub(" ", html.unescape(without_links)).split())


def snippet(markdown: str | None, query_words: list[str], length: int = SNIPPET_LENGTH) -> Markup:
    """An excerpt of the text around the first word found, the words found marked, everything escaped."""
    text = plain_text(markdown)
    if not text:
        return Markup("")
    folded = _fold(text)
    folded_words = [_fold(word) for word in query_words if word]
    pattern = (
        re.compile(r"(?<!\w)(?:" + "|".join(re.escape(word) for word in folded_words) + r")\w*")
        if folded_words
        else None
    )
    start = 0
    first = pattern.search(folded) if pattern else None
    if first and first.start() > length // 3:
        start = text.rfind(" ", 0, first.start() - length // 3) + 1
    end = min(len(text), start + length)
    if end < len(text):
        end = max(text.rfind(" ", start, end), start + length // 2)
    pieces: list[Markup] = [Markup("… ")] if start > 0 else []
    position = start
    if pattern:
        for match in pattern.finditer(folded, start, end):
            pieces.append(escape(text[position : match.start()]))
            pieces.append(Markup("<mark>%s</mark>") % text[match.start() : min(match.end(), end)])
            position = min(match.end(), end)
    pieces.append(escape(text[position:end]))
    if end < len(text):
        pieces.append(Markup(" …"))
    return Markup("").join(pieces)


@dataclass(frozen=True)
class FilterChoices:
    cycles: list[Cycle]
    axes: list[Axis]
    tags: list[str]
    groups: list[WorkingGroup]
    orders: tuple[str, ...]


async def filter_choices(session: AsyncSession, user: User | None, cycles: list[Cycle]) -> FilterChoices:
    """The options of the filter lists: the cycles the reader may open, their axes (one per code), the
    tags and working groups of the recommendations the reader may see, and the orders (by the vote's
    results only if one of those cycles shows them to the reader)."""
    cycle_ids = [cycle.id for cycle in cycles]
    axes: list[Axis] = []
    if cycle_ids:
        seen: set[str] = set()
        rows = (
            await session.scalars(
                select(Axis).where(Axis.cycle_id.in_(cycle_ids)).order_by(Axis.position, Axis.code, Axis.created_at)
            )
        ).all()
        for axis in rows:
            if axis.code.lower() not in seen:
                seen.add(axis.code.lower())
                axes.append(axis)
    tags = (
        await session.scalars(
            select(RecommendationTag.tag)
            .join(Recommendation, Recommendation.id == RecommendationTag.recommendation_id)
            .where(visibility(user))
            .distinct()
            .order_by(RecommendationTag.tag)
            .limit(300)
        )
    ).all()
    unique: dict[str, str] = {}
    for tag in tags:
        unique.setdefault(tag.lower(), tag)
    accesses = await accesses_to(session, user, cycles)
    return FilterChoices(
        cycles=cycles,
        axes=axes,
        tags=sorted(unique.values(), key=_fold),
        groups=await groups_listed(session, select(Recommendation).where(visibility(user))),
        orders=await offered_orders(SEARCH_ORDERS, accesses.values()),
    )
