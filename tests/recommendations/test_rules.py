"""Who may do what with a recommendation, phase by phase (the rules, without the web)."""

from __future__ import annotations

from uuid import uuid4

import pytest

from workspace.accounts.models import MembershipRole, User
from workspace.cycles.access import CycleAccess
from workspace.cycles.models import Cycle, Phase
from workspace.recommendations.models import Recommendation, Status
from workspace.recommendations.rules import can_create, rights


def person(**fields) -> User:
    return User(id=uuid4(), email=f"{uuid4()}@example.org", display_name="P", is_admin=fields.get("is_admin", False))


def situation(phase: Phase, role: MembershipRole | None, *, author=False, coauthor=False, status=Status.SUBMITTED):
    user = person()
    cycle = Cycle(id=uuid4(), phase=phase, year=2013, slug="c", title_fr="t", title_nl="t")
    recommendation = Recommendation(id=uuid4(), author_id=user.id if author else uuid4(), status=status)
    access = CycleAccess(cycle=cycle, user=user, roles=frozenset({role} if role else set()), group_ids=frozenset())
    return rights(recommendation, access, frozenset({user.id}) if coauthor else frozenset())


@pytest.mark.parametrize("phase", [Phase.DRAFTING, Phase.DISCUSSION])
def test_authors_and_coauthors_edit_while_the_text_may_change(phase):
    assert situation(phase, MembershipRole.MEMBER, author=True).can_edit
    assert situation(phase, MembershipRole.MEMBER, coauthor=True).can_edit


@pytest.mark.parametrize("phase", [Phase.VOTING, Phase.CONSOLIDATION, Phase.PUBLISHED, Phase.FOLLOW_UP])
def test_the_text_is_frozen_for_authors_from_voting_on(phase):
    assert not situation(phase, MembershipRole.MEMBER, author=True).can_edit


def test_a_facilitator_correction_in_a_frozen_phase_is_flagged_for_the_audit_log():
    allowed = situation(Phase.VOTING, MembershipRole.FACILITATOR)
    assert allowed.can_edit
    assert allowed.is_correction
    assert not situation(Phase.DRAFTING, MembershipRole.FACILITATOR).is_correction


def test_other_members_amend_instead_of_editing():
    allowed = situation(Phase.DISCUSSION, MembershipRole.MEMBER)
    assert not allowed.can_edit
    assert allowed.can_amend
    assert not situation(Phase.VOTING, MembershipRole.MEMBER).can_amend


def test_a_withdrawn_recommendation_cannot_be_edited():
    assert not situation(Phase.DRAFTING, MembershipRole.MEMBER, author=True, status=Status.WITHDRAWN).can_edit


def test_outsiders_and_authority_reviewers_do_not_edit():
    assert not situation(Phase.DRAFTING, None, author=True).can_edit
    assert not situation(Phase.DRAFTING, MembershipRole.AUTHORITY).can_edit


def test_only_participants_create_and_only_while_drafting_or_discussing():
    cycle = Cycle(id=uuid4(), phase=Phase.DRAFTING, year=2013, slug="c", title_fr="t", title_nl="t")
    member = CycleAccess(cycle=cycle, user=person(), roles=frozenset({MembershipRole.MEMBER}), group_ids=frozenset())
    outsider = CycleAccess(cycle=cycle, user=person(), roles=frozenset(), group_ids=frozenset())
    assert can_create(member)
    assert not can_create(outsider)
    cycle.phase = Phase.VOTING
    assert not can_create(member)
