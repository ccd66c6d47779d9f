"""Translations of a recommendation, side by side with the original."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from workspace.accounts.guards import CurrentUser, SignedIn, requires_user
from workspace.accounts.models import User
from workspace.core.forms import Form, FormError
from workspace.core.i18n import gettext as _
from workspace.core.web import DbSession, notify, read_form, see_other
from workspace.cycles.access import require
from workspace.recommendations import editing, services, translations
from workspace.recommendations.content import FIELD_LABELS
from workspace.recommendations.models import TEXT_FIELDS


async def _context(db_session: AsyncSession, recommendation_id: UUID, user: User, language: str) -> dict[str, Any]:
    recommendation, access, allowed = await editing.load_with_rights(db_session, recommendation_id, user)
    require(allowed.can_translate and language in translations.translatable_languages(recommendation))
    existing = (await translations.translations_of(db_session, recommendation.id)).get(language)
    return {
        "recommendation": recommendation,
        "access": access,
        "language": language,
        "language_label": translations.language_label(language),
        "source_label": translations.language_label(recommendation.language),
        "original": translations.original_content(recommendation),
        "existing": existing,
        "out_of_date": bool(existing and translations.is_out_of_date(recommendation, existing)),
        "field_list": field_list,
        "changed": await translations.changed_since_translated(db_session, recommendation, existing)
        if existing
        else [],
        "fields": TEXT_FIELDS,
        "labels": FIELD_LABELS,
    }


def field_list(names: list[str]) -> str:
    """ "Finding, Proposal": the fields named in the reader's language."""
    return ", ".join(str(FIELD_LABELS[name]) for name in names)


class TranslationController(Controller):
    path = "/recommendations/{recommendation_id:uuid}"

    @get("/translations/{language:str}", name="translate", guards=[requires_user])
    async def translate_page(
        self, db_session: DbSession, me: SignedIn, recommendation_id: FromPath[UUID], language: FromPath[str]
    ) -> Template:
        context = await _context(db_session, recommendation_id, me, language)
        existing = context["existing"]
        values = {name: str(existing.content.get(name) or "") for name in TEXT_FIELDS} if existing else {}
        return Template("recommendations/translate.html", context={**context, "form": Form(values=values)})

    @post("/translations/{language:str}", name="translate_post", guards=[requires_user])
    async def save_translation(
        self,
        request: Request,
        db_session: DbSession,
        me: SignedIn,
        recommendation_id: FromPath[UUID],
        language: FromPath[str],
    ) -> Template | Redirect:
        form = await read_form(request)
        try:
            await translations.save_translation(db_session, recommendation_id, language, form, me)
        except FormError as error:
            context = await _context(db_session, recommendation_id, me, language)
            return Template("recommendations/translate.html", context={**context, "form": error.form}, status_code=400)
        notify(request, _("The translation is saved."))
        return see_other(f"/recommendations/{recommendation_id}/languages")

    @get("/languages", name="languages")
    async def languages_page(
        self, db_session: DbSession, user: CurrentUser, recommendation_id: FromPath[UUID]
    ) -> Template:
        recommendation, access = await services.get_recommendation(db_session, recommendation_id, user)
        stored = await translations.translations_of(db_session, recommendation.id)
        available = translations.versions(recommendation, stored)
        changed = {
            language: await translations.changed_since_translated(db_session, recommendation, translation)
            for language, translation in stored.items()
            if language != recommendation.language
        }
        columns = [available[language] for language in ("fr", "nl", "en") if language in available]
        missing = [
            language for language in translations.translatable_languages(recommendation) if language not in available
        ]
        context = {
            "recommendation": recommendation,
            "access": access,
            "columns": columns,
            "missing": missing,
            "changed": changed,
            "field_list": field_list,
            "fields": TEXT_FIELDS,
            "labels": FIELD_LABELS,
            "language_label": translations.language_label,
        }
        return Template("recommendations/languages.html", context=context)


translation_routes = [TranslationController]
