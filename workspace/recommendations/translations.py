"""A recommendation's text in other languages, each tied to the revision it was translated from."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from workspace.accounts.models import User
from workspace.core import audit
from workspace.core.forms import MAX_TEXT, Form, FormError
from workspace.core.i18n import LANGUAGES
from workspace.core.i18n import gettext as _
from workspace.cycles.access import require
from workspace.recommendations import privacy
from workspace.recommendations.content import MAX_TITLE, revision_content
from workspace.recommendations.editing import load_for_writing, revision
from workspace.recommendations.models import TEXT_FIELDS, Recommendation, Translation


@dataclass(frozen=True)
class Version:
    """The text shown to a reader: the original or a translation, and what to say about it."""

    language: str
    content: dict[str, str]
    is_original: bool
    translation: Translation | None = None
    out_of_date: bool = False


def original_content(recommendation: Recommendation) -> dict[str, str]:
    return {name: getattr(recommendation, name) or "" for name in TEXT_FIELDS}


async def translations_of(session: AsyncSession, recommendation_id: UUID) -> dict[str, Translation]:
    rows = await session.scalars(select(Translation).where(Translation.recommendation_id == recommendation_id))
    return {translation.language: translation for translation in rows}


def is_out_of_date(recommendation: Recommendation, translation: Translation) -> bool:
    """The source text changed after the revision this translation was made from."""
    return translation.source_revision < recommendation.revision_number


async def changed_since_translated(
    session: AsyncSession, recommendation: Recommendation, translation: Translation
) -> list[str]:
    """The fields of the original that changed after the revision the translation was made from (every
    field if that revision cannot be found), in the form's order: what a translator has to look at again."""
    if not is_out_of_date(recommendation, translation):
        return []
    source = await revision(session, recommendation.id, translation.source_revision)
    current = original_content(recommendation)
    if source is None:
        return [name for name in TEXT_FIELDS if current[name]]
    before = revision_content(source.content)
    return [name for name in TEXT_FIELDS if before.get(name, "") != current[name]]


def versions(recommendation: Recommendation, translations: dict[str, Translation]) -> dict[str, Version]:
    result = {
        recommendation.language: Version(
            language=recommendation.language, content=original_content(recommendation), is_original=True
        )
    }
    for language, translation in translations.items():
        if language == recommendation.language:
            continue
        content = {name: str(translation.content.get(name) or "") for name in TEXT_FIELDS}
        result[language] = Version(
            language=language,
            content=content,
            is_original=False,
            translation=translation,
            out_of_date=is_out_of_date(recommendation, translation),
        )
    return result


def for_reader(recommendation: Recommendation, translations: dict[str, Translation], language: str) -> Version:
    """The reader's language first; otherwise the original (the page says a translation is missing)."""
    available = versions(recommendation, translations)
    return available.get(language) or available[recommendation.language]


def translatable_languages(recommendation: Recommendation) -> list[str]:
    return [language for language in LANGUAGES if language != recommendation.language]


async def save_translation(
    session: AsyncSession, recommendation_id: UUID, language: str, form: Form, translator: User
) -> Translation:
    recommendation, access, allowed = await load_for_writing(session, recommendation_id, translator)
    require(allowed.can_translate and language in translatable_languages(recommendation))
    content: dict[str, str] = {}
    for name in TEXT_FIELDS:
        limit = MAX_TITLE if name == "title" else MAX_TEXT
        content[name] = form.text(name, required=name == "title", max_length=limit)
    if not form.is_valid:
        raise FormError(form)
    existing = await session.scalar(
        select(Translation).where(Translation.recommendation_id == recommendation.id, Translation.language == language)
    )
    if existing is None:
        existing = Translation(
            recommendation_id=recommendation.id,
            language=language,
            content=content,
            source_revision=recommendation.revision_number,
            translator_id=translator.id,
        )
        session.add(existing)
    else:
        existing.content = content
        existing.source_revision = recommendation.revision_number
        existing.translator_id = translator.id
    audit.record(
        session,
        action="translation.save",
        actor_id=translator.id,
        cycle_id=access.cycle.id,
        target_kind="recommendation",
        target_id=recommendation.id,
        language=language,
    )
    return existing


def language_label(language: str) -> str:
    return {"fr": _("French"), "nl": _("Dutch"), "en": _("English")}.get(language, language)


def privacy_texts(recommendation: Recommendation, translations: dict[str, Translation]) -> dict[str, str]:
    """What the personal data guard reads: the original's fields and every translation's (privacy.texts_to_check)."""
    return privacy.texts_to_check(
        original_content(recommendation), {language: item.content for language, item in translations.items()}
    )
