"""What the recommendation page shows, gathered once for the page and for a form refused on it."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from workspace.core.i18n import current_language
from workspace.cycles.access import CycleAccess
from workspace.recommendations import amendments, editing, glossary, passages, privacy, translations
from workspace.recommendations.content import FIELD_LABELS
from workspace.recommendations.models import Recommendation, SourceDocument
from workspace.recommendations.rules import rights
from workspace.recommendations.signals import page_opened


def _privacy_field_label(field: str, original_language: str, shown_language: str) -> str:
    """The field of a flagged passage: "Finding" in the text shown, "Finding (Dutch)" in another language's."""
    language, name = privacy.split_field(field)
    label = str(FIELD_LABELS.get(name, name))
    language = language or original_language
    return label if language == shown_language else f"{label} ({translations.language_label(language)})"


def _with_privacy_marks(
    shown: dict[str, list[passages.Passage]], flags: list[privacy.Finding], translation: str | None
) -> tuple[dict[str, list[passages.Passage]], set[str]]:
    """The passages on the page with the flagged ones marked where they stand, in the text shown (the
    translation's own findings on a translation); and the fingerprints so marked, which the list links to."""
    marked: set[str] = set()
    result = {}
    for name, field_passages in shown.items():
        field = privacy.translated_field(translation, name) if translation else name
        wanted = [flag for flag in flags if flag.field == field]
        kept = []
        for passage in field_passages:
            left = [flag for flag in wanted if flag.fingerprint not in marked]
            if left:
                passage = replace(passage, html=privacy.highlighted(passage.html, left))
                marked.update(flag.fingerprint for flag in left if f'id="privacy-{flag.fingerprint}"' in passage.html)
            kept.append(passage)
        result[name] = kept
    return result, marked


def _distinct_passages(findings: list[privacy.Finding]) -> list[privacy.Finding]:
    """One confirmation covers every repetition of the same passage."""
    return list({finding.fingerprint: finding for finding in findings}.values())


async def page_context(
    db_session: AsyncSession,
    recommendation: Recommendation,
    access: CycleAccess,
    **kept: Any,
) -> dict[str, Any]:
    """Everything the recommendation page shows: the text and its authors' tools here, the parts of the
    domains above (vote panel, discussion) through `signals.page_opened`; `kept` brings back what a
    refused form sent (`comment_form=...`)."""
    allowed = rights(recommendation, access, frozenset(coauthor.user_id for coauthor in recommendation.coauthors))
    language = current_language.get()
    available = await translations.translations_of(db_session, recommendation.id)
    version = translations.for_reader(recommendation, available, language)
    terms = await glossary.all_terms(db_session)
    original = {name: getattr(recommendation, name) for name in passages.PASSAGE_FIELDS}
    flags = (
        _distinct_passages(
            privacy.unconfirmed(
                privacy.find_personal_data(translations.privacy_texts(recommendation, available)),
                recommendation.privacy_confirmations,
            )
        )
        if allowed.is_coauthor or access.is_facilitator
        else []
    )
    shown_passages, marked = _with_privacy_marks(
        passages.shown(original, None if version.language == recommendation.language else version.content),
        flags,
        None if version.language == recommendation.language else version.language,
    )
    context = {
        "link_terms": lambda html: glossary.link_terms(html, terms, language),
        "recommendation": recommendation,
        "access": access,
        "rights": allowed,
        "version": version,
        "shown_passages": shown_passages,
        "wanted_language": language,
        "language_label": translations.language_label,
        "amendments": await amendments.amendments_of(db_session, recommendation) if access.is_participant else [],
        "candidates": (
            await editing.coauthor_candidates(db_session, recommendation, access.cycle)
            if allowed.can_manage_coauthors
            else []
        ),
        "privacy_flags": sorted(flags, key=lambda flag: flag.fingerprint not in marked),
        "privacy_marked": marked,
        "privacy_language": lambda field: privacy.split_field(field)[0] or recommendation.language,
        "privacy_labels": privacy.KIND_LABELS,
        "field_labels": FIELD_LABELS,
        "privacy_field_label": lambda field: _privacy_field_label(field, recommendation.language, version.language),
        "source_document": (
            await db_session.get(SourceDocument, recommendation.source_document_id)
            if recommendation.source_document_id
            else None
        ),
    }
    for _receiver, part in await page_opened.send_async(recommendation, session=db_session, access=access, kept=kept):
        context.update(part or {})
    return context
