"""What the recommendation page needs to show its discussion (shared by the page and the live stream)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from workspace.core.forms import Form
from workspace.cycles.access import CycleAccess
from workspace.discussion import comments, services
from workspace.recommendations.content import FIELD_LABELS
from workspace.recommendations.models import Recommendation

ANCHOR_TARGETS = {
    "finding": "finding",
    "proposal": "proposal",
    "institutions": "who-acts",
    "expected_effect": "effect",
    "scheme_fr": "schemes",
    "scheme_wal": "schemes",
    "scheme_vl": "schemes",
    "harmonisation": "schemes",
}
"""Where on the recommendation page each part of the text sits (for a comment's "About:" link)."""


async def discussion_context(
    session: AsyncSession, recommendation: Recommendation, access: CycleAccess, form: Form | None = None
) -> dict[str, Any]:
    threads = await services.visible_comments(session, recommendation.id)
    anchors: Counter[str] = Counter()

    def count(items: list[services.Thread]) -> None:
        for thread in items:
            if thread.comment.anchor and not (thread.comment.deleted_at or thread.comment.hidden_at):
                anchors[thread.comment.anchor] += 1
            count(thread.replies)

    count(threads)
    return {
        "comments": threads,
        "discussion": comments.discussion_rights(recommendation, access),
        "anchor_counts": anchors,
        "comment_form": form or Form(),
        "following": await comments.is_following(session, access.user, recommendation.id),
        "discussion_marker": await comments.marker(session, recommendation.id),
        "anchors": comments.ANCHORS,
        "field_labels": FIELD_LABELS,
        "anchor_targets": ANCHOR_TARGETS,
    }
