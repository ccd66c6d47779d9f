"""Translations of a recommendation, side by side with the original."""

from __future__ import annotations

from uuid import UUID

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from workspace.accounts.guards import CurrentUser, requires_user, signed_in
from workspace.core.forms import Form, FormError
from workspace.core.i18n import gettext as _
from workspace.core.web import DbSession, notify, read_form, see_other
from workspace.cycles.access import require
from workspace.recommendations import editing, services, translations
from workspace.recommendations.content import FIELD_LABELS
from workspace.recommendations.models import TEXT_FIELDS


async def _context(db_session: DbSession, recommendation_id: UUID, user: CurrentUser, language: str) -> dict:  # type: ignore[type-arg]
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
        "fields": TEXT_FIELDS,
        "labels": FIELD_LABELS,
    }


@get("/recommendations/{recommendation_id:uuid}/translations/{language:str}", name="translate", guards=[requires_user])
async def translate_page(
    db_session: DbSession, user: CurrentUser, recommendation_id: FromPath[UUID], language: FromPath[str]
) -> Template:
    context = await _context(db_session, recommendation_id, user, language)
    existing = context["existing"]
    values = {name: str(existing.content.get(name) or "") for name in TEXT_FIELDS} if existing else {}
    return Template("recommendations/translate.html", context={**context, "form": Form(values=values)})


@post("/recommendations/{recommendation_id:uuid}/translations/{language:str}", guards=[requires_user])
async def save_translation(
    request: Request, db_session: DbSession, recommendation_id: FromPath[UUID], language: FromPath[str]
) -> Template | Redirect:
    user = signed_in(request)
    form = await read_form(request)
    try:
        await translations.save_translation(db_session, recommendation_id, language, form, user)
    except FormError as error:
        context = await _context(db_session, recommendation_id, user, language)
        return Template("recommendations/translate.html", context={**context, "form": error.form}, status_code=400)
    notify(request, _("The translation is saved."))
    return see_other(f"/recommendations/{recommendation_id}/languages")


@get("/recommendations/{recommendation_id:uuid}/languages", name="languages")
async def languages_page(db_session: DbSession, user: CurrentUser, recommendation_id: FromPath[UUID]) -> Template:
    recommendation, access = await services.get_recommendation(db_session, recommendation_id, user)
    available = translations.versions(recommendation, await translations.translations_of(db_session, recommendation.id))
    columns = [available[language] for language in ("fr", "nl", "en") if language in available]
    missing = [
        language for language in translations.translatable_languages(recommendation) if language not in available
    ]
    return Template(
        "recommendations/languages.html",
        context={
            "recommendation": recommendation,
            "access": access,
            "columns": columns,
            "missing": missing,
            "fields": TEXT_FIELDS,
            "labels": FIELD_LABELS,
            "language_label": translations.language_label,
        },
    )


translation_routes = [translate_page, save_translation, languages_page]
