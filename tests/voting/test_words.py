"""One word per figure: the ballots cast (abstentions included) and the ballots expressed (for, against
and blocking objections: what support is counted on) are never called by the same word, in pages and
exports, in French, Dutch and English."""

from __future__ import annotations

import pytest

from workspace.core.i18n import translations_for

EXPRESSED = {"fr": "exprimés", "nl": "geldige", "en": "expressed"}
CAST = (
    "Ballots cast",
    "Ballots still to cast",
    "Turnout: %(voted)s of %(eligible)s voters have cast at least one ballot.",
)
EXPRESSED_MESSAGES = (
    "Support: %(support)s of the ballots expressed.",
    "Share of the ballots expressed on each side that must be for.",
    "Share of the ballots expressed that must be for, across the whole network. For two thirds, enter 66.67.",
)


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_ballots_cast_and_ballots_expressed_have_a_word_each(language):
    words = translations_for(language)
    expressed = EXPRESSED[language]
    for message in EXPRESSED_MESSAGES:
        assert expressed in words.gettext(message), message
    for message in CAST:
        assert expressed not in words.gettext(message).lower(), message
    assert words.gettext("Ballots cast") != words.gettext("Support: %(support)s of the ballots expressed.")
