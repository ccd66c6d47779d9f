"""The recommendation page: the text in the reader's language, its authors, amendments and discussion."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from workspace.accounts.guards import CurrentUser, requires_user, signed_in
from workspace.core.forms import Form
from workspace.core.i18n import current_language
from workspace.core.i18n import gettext as _
from workspace.core.web import DbSession, notify, see_other
from workspace.cycles.access import CycleAccess, require
from workspace.discussion.views import discussion_context
from workspace.recommendations import amendments, editing, glossary, privacy, services, translations
from workspace.recommendations.content import FIELD_LABELS
from workspace.recommendations.models import Recommendation
from workspace.recommendations.rules import rights
from workspace.voting import results as voting


def _privacy_field_label(field: str) -> str:
    """The field of a flagged passage: "Finding", or "Finding (Dutch)" in a translation."""
    language, name = privacy.split_field(field)
    label = str(FIELD_LABELS.get(name, name))
    return f"{label} ({translations.language_label(language)})" if language else label


def _distinct_passages(findings: list[privacy.Finding]) -> list[privacy.Finding]:
    """One confirmation covers every repetition of the same passage."""
    return list({finding.fingerprint: finding for finding in findings}.values())


@get("/recommendations/{recommendation_id:uuid}", name="recommendation")
async def recommendation_page(
    db_session: DbSession, user: CurrentUser, recommendation_id: FromPath[UUID]
) -> Template | Redirect:
    recommendation, access = await services.get_recommendation(db_session, recommendation_id, user)
    if recommendation.merged_into_id is not None:
        return Redirect(f"/recommendations/{recommendation.merged_into_id}", status_code=301)
    context = await page_context(db_session, recommendation, access)
    return Template("recommendations/recommendation.html", context=context)


async def page_context(
    db_session: AsyncSession,
    recommendation: Recommendation,
    access: CycleAccess,
    *,
    comment_form: Form | None = None,
) -> dict[str, Any]:
    """Everything the recommendation page shows; `comment_form` brings back a comment that was refused."""
    allowed = rights(recommendation, access, frozenset(coauthor.user_id for coauthor in recommendation.coauthors))
    language = current_language.get()
    available = await translations.translations_of(db_session, recommendation.id)
    version = translations.for_reader(recommendation, available, language)
    terms = await glossary.all_terms(db_session)
    context = {
        "link_terms": lambda html: glossary.link_terms(html, terms, language),
        "recommendation": recommendation,
        "access": access,
        "rights": allowed,
        "version": version,
        "wanted_language": language,
        "language_label": translations.language_label,
        "amendments": await amendments.amendments_of(db_session, recommendation.id) if access.is_participant else [],
        "candidates": (
            await editing.coauthor_candidates(db_session, recommendation, access.cycle)
            if allowed.can_manage_coauthors
            else []
        ),
        "privacy_flags": (
            _distinct_passages(
                privacy.unconfirmed(
                    privacy.find_personal_data(translations.privacy_texts(recommendation, available)),
                    recommendation.privacy_confirmations,
                )
            )
            if allowed.is_coauthor or access.is_facilitator
            else []
        ),
        "privacy_labels": privacy.KIND_LABELS,
        "field_labels": FIELD_LABELS,
        "privacy_field_label": _privacy_field_label,
    }
    context["vote_panel"] = panel = await voting.panel(db_session, recommendation, access)
    ballot = panel.ballot if panel else None
    context["ballot_form"] = Form(values={"choice": ballot.choice.value, "reason": ballot.reason} if ballot else {})
    context.update(await discussion_context(db_session, recommendation, access, comment_form))
    return context


@post("/recommendations/{recommendation_id:uuid}/privacy", guards=[requires_user])
async def confirm_privacy(request: Request, db_session: DbSession, recommendation_id: FromPath[UUID]) -> Redirect:
    """Authors confirm flagged passages are not personal data (or remove them by editing)."""
    user = signed_in(request)
    recommendation, access, allowed = await editing.load_for_writing(db_session, recommendation_id, user)
    require(allowed.is_coauthor or access.is_facilitator)
    data = await request.form()
    chosen = set(data.getall("fingerprint")) if "fingerprint" in data else set()
    available = await translations.translations_of(db_session, recommendation.id)
    findings = privacy.find_personal_data(translations.privacy_texts(recommendation, available))
    known = {finding.fingerprint for finding in findings}
    confirmed = sorted(set(recommendation.privacy_confirmations) | (chosen & known))
    recommendation.privacy_confirmations = confirmed
    notify(request, _("Thank you: the passages you confirmed will not be flagged again."))
    return see_other(f"/recommendations/{recommendation_id}#privacy")


recommendation_routes = [recommendation_page, confirm_privacy]
