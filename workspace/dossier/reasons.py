"""Minority views in the dossier, read by the personal-data guard before publishing.

The reasons given against a recommendation or for blocking it are printed word for word in a public
document, and a social worker explaining a vote may cite a real situation. Their voters cannot change
them once the vote has closed, so the facilitators decide instead, for each reason the guard flags: keep
it as written, or leave it out of the dossier. A decision holds for that ballot's text only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from uuid import UUID

from workspace.recommendations import privacy
from workspace.recommendations.models import Recommendation
from workspace.voting.services import Objection

KEEP = "keep"
OMIT = "omit"
DECISIONS = (KEEP, OMIT)


@dataclass(frozen=True)
class FlaggedReason:
    key: str
    recommendation_id: UUID
    title: str
    objection: Objection
    kinds: tuple[str, ...]
    """The kinds of personal data found (keys of `privacy.KIND_LABELS`)."""
    decision: str | None
    """KEEP, OMIT, or None while nobody decided."""

    @property
    def kind_labels(self) -> list[str]:
        return [str(privacy.KIND_LABELS[kind]) for kind in self.kinds]


def review_key(objection: Objection) -> str:
    """The ballot and its text: a decision is asked again if the text is ever different."""
    digest = hashlib.sha256(objection.reason.encode()).hexdigest()[:16]
    return f"{objection.ballot_id}:{digest}"


def flagged(
    recommendations: Sequence[Recommendation],
    objections: Mapping[UUID, Sequence[Objection]],
    reviews: Mapping[str, str],
) -> list[FlaggedReason]:
    """The reasons in which the guard finds personal data, in dossier order, with what was decided."""
    found = []
    for recommendation in recommendations:
        for objection in objections.get(recommendation.id, ()):
            findings = privacy.find_personal_data({"reason": objection.reason})
            if findings:
                key = review_key(objection)
                kinds = tuple(dict.fromkeys(finding.kind for finding in findings))
                found.append(
                    FlaggedReason(key, recommendation.id, recommendation.title, objection, kinds, reviews.get(key))
                )
    return found


def printed(objections: Sequence[Objection], reviews: Mapping[str, str]) -> list[Objection]:
    """The minority views the dossier prints: all but those the facilitators left out."""
    return [objection for objection in objections if reviews.get(review_key(objection)) != OMIT]
