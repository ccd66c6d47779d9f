"""What the recommendation page needs to show its discussion (shared by the page and the live stream)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from workspace.core.forms import Form
from workspace.cycles.access import CycleAccess
from workspace.discussion import comments, services
from workspace.discussion.models import Comment
from workspace.recommendations import passages
from workspace.recommendations.content import FIELD_LABELS
from workspace.recommendations.models import Recommendation

ANCHOR_TARGETS = {
    "finding": "finding",
    "proposal": "proposal",
    "institutions": "who-acts",
    "expected_effect": "effect",
    "scheme_fr": "scheme-fr",
    "scheme_wal": "scheme-wal",
    "scheme_vl": "scheme-vl",
    "harmonisation": "harmonisation",
}
"""Where on the recommendation page each part of the text sits (for a comment's "About:" link)."""


@dataclass(frozen=True)
class About:
    """What a comment is about, as its "About:" line says it: a part, or one of its passages (`number`),
    which may have been rewritten since (`changed`: then `excerpt` is how it read)."""

    part: str
    target: str
    number: int = 0
    excerpt: str = ""
    changed: bool = False


def original_passages(recommendation: Recommendation) -> dict[str, list[passages.Passage]]:
    return passages.of_text({name: getattr(recommendation, name) for name in passages.PASSAGE_FIELDS})


def about_reader(found: dict[str, list[passages.Passage]]) -> Callable[[Comment], About | None]:
    current = {passage.anchor: passage for part in found.values() for passage in part}

    def about(comment: Comment) -> About | None:
        field, key = passages.parse(comment.anchor)
        if field not in FIELD_LABELS:
            return None
        part, target = str(FIELD_LABELS[field]), ANCHOR_TARGETS.get(field, "discussion")
        if not key:
            return About(part, target)
        passage = current.get(comment.anchor or "")
        if passage is None:
            return About(part, target, excerpt=comment.anchor_excerpt, changed=True)
        return About(part, passage.element_id, passage.number, passage.excerpt)

    return about


async def discussion_context(
    session: AsyncSession, recommendation: Recommendation, access: CycleAccess, form: Form | None = None
) -> dict[str, Any]:
    threads = await services.visible_comments(session, recommendation.id)
    anchors: Counter[str] = Counter()

    def count(items: list[services.Thread]) -> None:
        for thread in items:
            if thread.comment.anchor and not (thread.comment.deleted_at or thread.comment.hidden_at):
                field, key = passages.parse(thread.comment.anchor)
                anchors[field] += 1
                if key:
                    anchors[thread.comment.anchor] += 1
            count(thread.replies)

    count(threads)
    found = original_passages(recommendation)
    return {
        "comments": threads,
        "discussion": comments.discussion_rights(recommendation, access),
        "anchor_counts": anchors,
        "comment_form": form or Form(),
        "following": await comments.is_following(session, access.user, recommendation.id),
        "discussion_marker": await comments.marker(session, recommendation.id),
        "anchors": comments.ANCHORS,
        "anchor_passages": found,
        "field_labels": FIELD_LABELS,
        "about_of": about_reader(found),
    }
