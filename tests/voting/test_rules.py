"""The arithmetic of the cross-border double majority and of the consensus score."""

from __future__ import annotations

from uuid import uuid4

import pytest

from workspace.cycles.models import Cycle, Phase, SideSplit
from workspace.voting.models import Choice
from workspace.voting.rules import Tally, verdict


def cycle(**rules: object) -> Cycle:
    defaults = {
        "phase": Phase.VOTING,
        "quorum": 0.0,
        "adoption_threshold": 0.5,
        "side_threshold": 0.5,
        "side_split": SideSplit.FRANCE_BELGIUM,
        "blocking_blocks": True,
    }
    return Cycle(**{**defaults, **rules})


def tally(eligible: int = 0, **ballots: int) -> Tally:
    """tally(fr_for=3, wal_against=1, vl_abstain=2, ...)"""
    result = Tally(recommendation_id=uuid4(), eligible=eligible)
    for key, number in ballots.items():
        side, choice = key.split("_", 1)
        result.add(Choice(choice), side if side != "none" else None, "social_worker", number)
    return result


def failed(result: Tally, rules: Cycle) -> list[str]:
    return [f"{check.rule}{':' + check.side if check.side else ''}" for check in verdict(result, rules).failed]


def test_backed_on_both_sides_of_the_border_is_adopted():
    assert verdict(tally(fr_for=5, wal_for=2, vl_for=2, fr_against=1), cycle()).adopted


def test_a_majority_from_one_side_alone_is_not_enough():
    result = tally(fr_for=20, wal_against=3, vl_against=2)
    assert failed(result, cycle()) == ["side:be"]


def test_each_region_counts_when_the_cycle_splits_three_ways():
    result = tally(fr_for=5, wal_for=3, vl_against=2, vl_for=1)
    assert verdict(result, cycle()).adopted
    assert failed(result, cycle(side_split=SideSplit.THREE_REGIONS)) == ["side:vl"]


def test_a_side_where_nobody_expressed_a_view_does_not_back_it():
    assert failed(tally(fr_for=5, wal_abstain=2), cycle()) == ["side:be"]


def test_abstentions_count_for_turnout_but_not_for_support():
    result = tally(eligible=10, fr_for=2, fr_abstain=5, wal_for=1)
    assert result.overall.support == 1.0
    assert result.turnout == pytest.approx(0.8)


def test_the_quorum_is_measured_against_everyone_who_may_vote():
    result = tally(eligible=20, fr_for=3, wal_for=3)
    assert failed(result, cycle(quorum=0.5)) == ["quorum"]
    assert verdict(result, cycle(quorum=0.3)).adopted


def test_a_tie_is_not_a_majority():
    assert "majority" in failed(tally(fr_for=2, fr_against=2, wal_for=1, wal_against=1), cycle())


def test_two_thirds_of_the_ballots_reach_a_two_thirds_threshold():
    rules = cycle(adoption_threshold=0.6667, side_threshold=0.6667)
    assert verdict(tally(fr_for=2, fr_against=1, wal_for=4, wal_against=2), rules).adopted


def test_a_blocking_objection_blocks_or_is_only_reported_as_the_cycle_says():
    result = tally(fr_for=9, wal_for=5, vl_block=1)
    assert failed(result, cycle()) == ["blocking"]
    assert verdict(result, cycle(blocking_blocks=False)).adopted


def test_voters_who_gave_no_side_count_overall_but_on_no_side():
    result = tally(fr_for=2, wal_for=1, none_against=2)
    assert result.overall.against == 2
    assert all(count.against == 0 for count in result.sides(SideSplit.FRANCE_BELGIUM).values())


def test_the_consensus_score_is_the_weakest_side_smoothed_for_small_numbers():
    united = tally(fr_for=10, wal_for=8, fr_against=1)
    lopsided = tally(fr_for=30, wal_for=1)
    assert united.consensus(SideSplit.FRANCE_BELGIUM) == pytest.approx(11 / 13)
    assert lopsided.consensus(SideSplit.FRANCE_BELGIUM) == pytest.approx(2 / 3)
    assert united.consensus(SideSplit.FRANCE_BELGIUM) > lopsided.consensus(SideSplit.FRANCE_BELGIUM)
    assert tally().consensus(SideSplit.FRANCE_BELGIUM) == pytest.approx(0.5)
