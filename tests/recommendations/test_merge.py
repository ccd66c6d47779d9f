"""Three-way merge and word diff: the pure parts of concurrent editing."""

from __future__ import annotations

import re

from workspace.recommendations.diff import word_diff
from workspace.recommendations.merge import merge_fields, merge_text

FIELDS = ("title", "finding")


def test_changes_to_different_paragraphs_merge():
    base = "Premier paragraphe.\n\nSecond paragraphe."
    theirs = "Premier paragraphe, revu.\n\nSecond paragraphe."
    mine = "Premier paragraphe.\n\nSecond paragraphe, complété."
    assert merge_text(base, theirs, mine) == "Premier paragraphe, revu.\n\nSecond paragraphe, complété."


def test_changes_to_the_same_paragraph_conflict():
    assert merge_text("Les jeunes.", "Les jeunes travailleurs.", "Les jeunes étudiants.") is None


def test_the_same_change_on_both_sides_is_not_a_conflict():
    assert merge_text("a", "b", "b") == "b"


def test_a_field_only_one_side_changed_takes_that_side():
    base = {"title": "T", "finding": "F"}
    result = merge_fields(base, {"title": "T2", "finding": "F"}, {"title": "T", "finding": "F2"}, FIELDS)
    assert result.is_clean
    assert result.content == {"title": "T2", "finding": "F2"}
    assert result.merged_fields == []


def test_a_conflict_keeps_my_text_and_reports_theirs():
    result = merge_fields({"title": "T"}, {"title": "Leur titre"}, {"title": "Mon titre"}, ("title",))
    assert not result.is_clean
    assert result.content["title"] == "Mon titre"
    assert result.conflicts[0].theirs == "Leur titre"


def test_word_diff_marks_insertions_and_deletions_and_escapes_text():
    html = str(word_diff("Le chat <b> dort", "Le chien <b> dort bien"))
    assert "<del>chat</del> <ins>chien</ins>" in html
    assert "&lt;b&gt;" in html
    assert "<ins> bien</ins>" in html


def test_word_diff_keeps_the_space_between_removed_and_added_words():
    html = str(word_diff("Moins de non-recours.", "Diviser par deux le non-recours."))
    assert html == "<del>Moins de</del> <ins>Diviser par deux le</ins> non-recours."
    assert "MoinsDiviser" not in re.sub(r"<[^>]+>", "", html)


def test_word_diff_of_a_removed_or_added_word_leaves_the_rest_as_it_was():
    assert str(word_diff("un deux trois", "un trois")) == "un <del>deux </del>trois"
    assert str(word_diff("un trois", "un deux trois")) == "un <ins>deux </ins>trois"
    assert str(word_diff("pareil", "pareil")) == "pareil"
