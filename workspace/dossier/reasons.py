"""Minority views in the dossier, read by the personal-data guard before publishing.

The reasons given against a recommendation or for blocking it are printed word for word in a public
document, and a social worker explaining a vote may cite a real situation. Their voters cannot change
them once the vote has closed, so the facilitators decide instead, for each reason the guard flags: keep
it as written, or leave it out (of the dossier and of the results pages). The decision is stored on the
ballot (`Ballot.reason_review`); casting the ballot again clears it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from uuid import UUID

from workspace.recommendations import privacy
from workspace.recommendations.models import Recommendation
from workspace.voting.models import ReasonReview
from workspace.voting.services import Objection

KEEP = ReasonReview.KEEP
OMIT = ReasonReview.OMIT
DECISIONS = (KEEP, OMIT)


@dataclass(frozen=True)
class FlaggedReason:
    recommendation_id: UUID
    title: str
    objection: Objection
    kinds: tuple[str, ...]
    """The kinds of personal data found (keys of `privacy.KIND_LABELS`)."""

    @property
    def key(self) -> str:
        """What the decision form sends back: the ballot's id."""
        return str(self.objection.ballot_id)

    @property
    def decision(self) -> str | None:
        """KEEP, OMIT, or None while nobody decided."""
        return self.objection.review

    @property
    def kind_labels(self) -> list[str]:
        return [str(privacy.KIND_LABELS[kind]) for kind in self.kinds]


def flagged(
    recommendations: Sequence[Recommendation], objections: Mapping[UUID, Sequence[Objection]]
) -> list[FlaggedReason]:
    """The reasons in which the guard finds personal data, in dossier order, with what was decided."""
    found = []
    for recommendation in recommendations:
        for objection in objections.get(recommendation.id, ()):
            findings = privacy.find_personal_data({"reason": objection.reason})
            if findings:
                kinds = tuple(dict.fromkeys(finding.kind for finding in findings))
                found.append(FlaggedReason(recommendation.id, recommendation.title, objection, kinds))
    return found
