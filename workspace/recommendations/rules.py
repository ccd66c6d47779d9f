"""Who may do what with a recommendation, in which phase. Pure functions, unit-tested."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from workspace.cycles.access import CycleAccess
from workspace.cycles.models import Phase
from workspace.recommendations.models import Recommendation, Status

EDITABLE_PHASES = frozenset({Phase.DRAFTING, Phase.DISCUSSION})
"""Text can change in drafting and discussion; from voting on it is frozen (facilitators may correct)."""
OPEN_STATUSES = frozenset({Status.DRAFT, Status.SUBMITTED})
VOTED_STATUSES = frozenset({Status.ADOPTED, Status.NOT_ADOPTED})
"""After the vote a facilitator may still correct these texts (personal data, a typo before publishing or
in a corrected version): a revision with its reason, recorded in the audit log, the authors told."""


@dataclass(frozen=True)
class Rights:
    is_author: bool
    is_coauthor: bool
    can_edit: bool
    """Change the text directly (a new revision)."""
    is_correction: bool
    """The edit is a facilitator's correction of a frozen text, recorded in the audit log."""
    can_amend: bool
    """Propose an amendment (members who are not co-authors, while the text may change)."""
    can_decide_amendments: bool
    can_manage_coauthors: bool
    can_submit: bool
    can_withdraw: bool
    can_translate: bool


def rights(recommendation: Recommendation, access: CycleAccess, coauthor_ids: frozenset[UUID]) -> Rights:
    user = access.user
    participant = access.is_contributor and not access.suspended and user is not None
    is_author = bool(user and recommendation.author_id == user.id)
    is_coauthor = bool(user and (is_author or user.id in coauthor_ids))
    editable_phase = access.cycle.phase in EDITABLE_PHASES
    open_status = recommendation.status in OPEN_STATUSES
    writer = participant and (is_coauthor or access.is_facilitator)
    corrects_voted = access.is_facilitator and recommendation.status in VOTED_STATUSES
    can_edit = writer and ((open_status and (editable_phase or access.is_facilitator)) or corrects_voted)
    return Rights(
        is_author=is_author,
        is_coauthor=is_coauthor,
        can_edit=can_edit,
        is_correction=can_edit and not editable_phase,
        can_amend=participant and not is_coauthor and editable_phase and open_status,
        can_decide_amendments=writer and editable_phase and open_status,
        can_manage_coauthors=participant and (is_author or access.is_facilitator) and open_status,
        can_submit=writer and editable_phase and recommendation.status == Status.DRAFT,
        can_withdraw=writer and editable_phase and open_status,
        can_translate=access.is_participant and user is not None and not access.suspended,
    )


def can_create(access: CycleAccess) -> bool:
    return access.is_contributor and not access.suspended and access.cycle.phase in EDITABLE_PHASES


IMPORT_PHASES = frozenset({Phase.DRAFTING, Phase.DISCUSSION, Phase.PUBLISHED, Phase.FOLLOW_UP})
"""A document can become drafts while texts are written, and in a finished cycle (its memory: a past
dossier brought in); not while the vote and the dossier are being made."""


def can_import(access: CycleAccess) -> bool:
    """Facilitators (and admins) import documents as drafts, in a finished cycle too, where nobody else
    may create a recommendation."""
    return access.is_facilitator and not access.suspended and access.cycle.phase in IMPORT_PHASES
