"""The words for the domain's values come from one registry: every value of every registered kind has
them, in French, Dutch and English, and a kind with a value left without words is refused."""

from __future__ import annotations

import enum

import pytest
from babel.support import LazyProxy

import workspace.app  # noqa: F401 - every domain registers its words on import
from workspace.core import labels
from workspace.core.i18n import translations_for
from workspace.cycles.models import Phase
from workspace.dossier.models import Position
from workspace.voting.models import Choice


def test_every_value_of_every_registered_kind_has_words_in_the_three_languages():
    kinds = labels.registered()
    assert {kind.__name__ for kind in kinds} >= {"Phase", "Status", "Choice", "Position", "MembershipRole"}
    for kind, words in kinds.items():
        for member in kind:
            word = words[member]
            if not isinstance(word, LazyProxy):
                continue  # a proper noun, the same in every language (Nord, Hainaut...)
            message = labels.label(member, language="en")  # English messages are their own words
            for language in ("fr", "nl", "en"):
                translated = translations_for(language).gettext(message)
                assert translated, (kind.__name__, member, language)
                assert labels.label(member, language=language) == translated


def test_a_value_is_read_in_the_readers_language_or_the_one_asked():
    assert labels.label(Phase.VOTING, language="nl") == "Stemming"
    assert labels.label("voting", "phase", language="fr") == "Vote"
    assert labels.label("will_study", Position, language="nl") == translations_for("nl").gettext("Will study")
    assert labels.label(Choice.BLOCK, language="fr") == "Objection bloquante"


def test_an_unknown_code_shows_as_itself_and_no_value_as_nothing():
    assert labels.label("retired_phase", "phase") == "retired_phase"
    assert labels.label(None, "phase") == ""


def test_a_kind_with_a_value_left_without_words_is_refused():
    class Colour(enum.StrEnum):
        RED = "red"
        BLUE = "blue"

    with pytest.raises(ValueError, match="blue"):
        labels.register(Colour, {Colour.RED: "Rouge"})
