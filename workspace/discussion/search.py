"""The search looks in the comments too: a recommendation is found when one of its comments readers see
(neither deleted nor hidden) holds every word, and the results show that comment's passage, linked."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Select, and_, func, literal, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from workspace.core.sqlite import FOLD_FUNCTION, folded_words
from workspace.discussion.models import Comment
from workspace.recommendations.search import Beyond, Passage, tsquery_text


def _holds_every_word(dialect: str, query_words: list[str]) -> ColumnElement[bool]:
    if dialect == "sqlite":
        body = getattr(func, FOLD_FUNCTION)(Comment.body)
        return and_(*(func.instr(body, literal(" " + folded_words(word).strip())) > 0 for word in query_words))
    tsquery = func.to_tsquery(literal_column("'simple'::regconfig"), tsquery_text(" ".join(query_words)))
    return func.to_tsvector(literal_column("'simple'::regconfig"), Comment.body).op("@@")(tsquery)


def _readable() -> list[ColumnElement[bool]]:
    return [Comment.deleted_at.is_(None), Comment.hidden_at.is_(None)]


def in_comments(dialect: str, query_words: list[str]) -> Beyond:
    """What the search adds: the recommendations with such a comment, and the first such comment of each
    (the recommendations themselves are already limited to those the reader may see)."""
    matching = _holds_every_word(dialect, query_words)
    ids: Select[Any] = select(Comment.recommendation_id).where(matching, *_readable())

    async def passages(session: AsyncSession, recommendation_ids: list[UUID]) -> dict[UUID, Passage]:
        if not recommendation_ids:
            return {}
        rows = await session.scalars(
            select(Comment)
            .where(Comment.recommendation_id.in_(recommendation_ids), matching, *_readable())
            .options(selectinload(Comment.author))
            .order_by(Comment.created_at, Comment.id)
        )
        found: dict[UUID, Passage] = {}
        for comment in rows:
            found.setdefault(
                comment.recommendation_id,
                Passage(
                    text=comment.body,
                    fragment=f"comment-{comment.id}",
                    author=comment.author.display_name if comment.author else "",
                    written_at=comment.created_at,
                ),
            )
        return found

    return Beyond(ids=ids, passages=passages)
