"""The words every export prints around the content (headings, column names), in the export's language,
whatever the language of the person who asked for it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from workspace.core.i18n import current_language
from workspace.core.i18n import gettext as _
from workspace.core.labels import label
from workspace.recommendations.models import ActionLevel
from workspace.voting.models import Choice


@contextmanager
def in_language(language: str) -> Iterator[None]:
    token = current_language.set(language)
    try:
        yield
    finally:
        current_language.reset(token)


@cache
def labels(language: str) -> dict[str, str]:
    with in_language(language):
        return {
            "dossier": _("Consolidated dossier"),
            "contents": _("Contents"),
            "contents_update": _(
                "The contents are filled in when the document is updated: F9 in Word, Tools > Update > Update All "
                "in LibreOffice."
            ),
            "introduction": _("Introduction"),
            "version": _("Version %(number)s", number="{number}"),
            "draft": _("Draft, not published"),
            "published_on": _("Published on"),
            "partners": _("Contributing organisations"),
            "annex": _("Annex: recommendations not adopted"),
            "annex_intro": _("What the vote did not adopt, with the figures that decided it."),
            "discussion": _("Annex: discussion of the recommendations"),
            "discussion_intro": _(
                "The comments posted on each recommendation, thread by thread. Comments hidden by a facilitator "
                "or deleted by their author are left out."
            ),
            "former_member": _("Former member"),
            "no_comments": _("No comments."),
            "title": _("Title"),
            "finding": _("Finding"),
            "proposal": _("Proposal"),
            "institutions": _("Who should act"),
            "action_level": _("Level of action"),
            "expected_effect": _("Expected effect"),
            "schemes": _("Current schemes on each side"),
            "scheme_fr": _("France"),
            "scheme_wal": _("Wallonia"),
            "scheme_vl": _("Flanders"),
            "side_be": _("Belgium"),
            "harmonisation": _("What harmonising would mean"),
            "vote": _("Vote"),
            "for": label(Choice.FOR),
            "against": label(Choice.AGAINST),
            "abstain": label(Choice.ABSTAIN),
            "block": label(Choice.BLOCK),
            "cast": _("Ballots cast"),
            "eligible": _("Voters"),
            "turnout": _("Turnout"),
            "support": _("Support"),
            "support_on": _("Support in %(side)s", side="{side}"),
            "adopted": _("Adopted by the cross-border double majority"),
            "not_adopted": _("Not adopted"),
            "failed": _("Conditions not met"),
            "minority_views": _("Minority views"),
            "untranslated": _("Not yet translated: shown in the original language."),
            "not_translated": _("Not translated"),
            "carried_from": _("Carried over from"),
            "number": _("Number"),
            "axis": _("Axis"),
            "status": _("Status"),
            "local": label(ActionLevel.LOCAL),
            "regional": label(ActionLevel.REGIONAL),
            "national": label(ActionLevel.NATIONAL),
            "cross_border": label(ActionLevel.CROSS_BORDER),
            "quorum": _("quorum"),
            "overall": _("overall threshold"),
            "majority": _("more for than against"),
            "blocking": _("no blocking objection"),
            "side": _("threshold in %(side)s", side="{side}"),
        }


def side_name(side: str, language: str) -> str:
    words = labels(language)
    return {"fr": words["scheme_fr"], "wal": words["scheme_wal"], "vl": words["scheme_vl"], "be": words["side_be"]}.get(
        side, side
    )


def failed_text(failed: list[str], language: str) -> str:
    words = labels(language)
    parts = []
    for item in failed:
        rule, _sep, side = item.partition(":")
        parts.append(words["side"].format(side=side_name(side, language)) if side else words.get(rule, rule))
    return ", ".join(parts)


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f} %"
