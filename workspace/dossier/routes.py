"""The consolidation workspace, the published dossier and its exports."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Stream, Template

from workspace.accounts.guards import CurrentUser, current_user, requires_user, signed_in
from workspace.core.forms import Form, FormError
from workspace.core.i18n import gettext as _
from workspace.core.inputs import NumberInPath, bounded_number
from workspace.core.web import DbSession, notify, read_form, see_other
from workspace.cycles import services as cycles
from workspace.cycles.access import CycleAccess, require
from workspace.dossier import exports, guard, jobs, publishing, reasons, services
from workspace.dossier.content import LANGUAGE_CHOICES, DossierContent
from workspace.dossier.exports.document import body
from workspace.dossier.models import DossierExport, DossierVersion, ExportStatus


def _export_choices() -> dict[str, Any]:
    return {"formats": exports.FORMAT_NAMES, "language_choices": list(LANGUAGE_CHOICES)}


def _language_pair(language: str) -> tuple[str, ...]:
    return (language,) if language in ("fr", "nl") else ("fr", "nl")


async def _workspace_context(db_session: DbSession, access: CycleAccess, **extra: Any) -> dict[str, Any]:
    dossier = await services.get_dossier(db_session, access.cycle)
    content = await services.build_content(db_session, access)
    return {
        "access": access,
        "content": content,
        "intro_form": extra.pop("intro_form", None) or services.introductions_form(dossier, list(access.cycle.axes)),
        "publish_form": extra.pop("publish_form", None) or Form(),
        "export_form": extra.pop("export_form", None) or Form(values={"format": "pdf", "language": "fr-nl"}),
        "flags": await guard.privacy_flags(db_session, access.cycle),
        "flagged_reasons": await guard.flagged_reasons(db_session, access.cycle),
        "versions": await services.versions(db_session, access.cycle),
        "version": None,
        **_export_choices(),
        **extra,
    }


@get("/cycles/{slug:str}/dossier/consolidation", name="consolidation", guards=[requires_user])
async def consolidation_page(db_session: DbSession, user: CurrentUser, slug: FromPath[str]) -> Template:
    access = await cycles.get_cycle(db_session, slug, user)
    require(services.may_consolidate(access))
    return Template("dossier/consolidation.html", context=await _workspace_context(db_session, access))


@post("/cycles/{slug:str}/dossier/move", guards=[requires_user])
async def move(request: Request, db_session: DbSession, slug: FromPath[str]) -> Redirect:
    access = await cycles.get_cycle(db_session, slug, signed_in(request))
    form = await read_form(request)
    try:
        recommendation_id = UUID(form.get("recommendation_id"))
    except ValueError:
        require(False)
        raise
    await services.move(db_session, access, recommendation_id, form.get("direction"))
    return see_other(f"/cycles/{slug}/dossier/consolidation#rec-{recommendation_id}")


@post("/cycles/{slug:str}/dossier/introductions", guards=[requires_user])
async def save_introductions(request: Request, db_session: DbSession, slug: FromPath[str]) -> Template | Redirect:
    user = signed_in(request)
    access = await cycles.get_cycle(db_session, slug, user)
    require(services.may_consolidate(access))
    form = await read_form(request)
    try:
        await services.save_introductions(db_session, access, form, user)
    except FormError as error:
        context = await _workspace_context(db_session, access, intro_form=error.form)
        return Template("dossier/consolidation.html", context=context, status_code=400)
    notify(request, _("The introductions have been saved."))
    return see_other(f"/cycles/{slug}/dossier/consolidation#introductions")


@post("/cycles/{slug:str}/dossier/publish", guards=[requires_user])
async def publish(request: Request, db_session: DbSession, slug: FromPath[str]) -> Template | Redirect:
    user = signed_in(request)
    access = await cycles.get_cycle(db_session, slug, user)
    require(services.may_consolidate(access))
    form = await read_form(request)
    try:
        version = await publishing.publish(db_session, access, form, user)
    except FormError as error:
        context = await _workspace_context(db_session, access, publish_form=error.form)
        return Template("dossier/consolidation.html", context=context, status_code=400)
    notify(request, _("Version %(number)s of the dossier is published.", number=version.number))
    return see_other(f"/cycles/{slug}/dossier/versions/{version.number}")


@post("/cycles/{slug:str}/dossier/reasons", guards=[requires_user])
async def review_reason(request: Request, db_session: DbSession, slug: FromPath[str]) -> Redirect:
    """A facilitator keeps a minority view the guard flags, or leaves it out of the dossier."""
    user = signed_in(request)
    access = await cycles.get_cycle(db_session, slug, user)
    decision = await guard.review_reason(db_session, access, await read_form(request), user)
    if decision == reasons.KEEP:
        notify(request, _("The minority view will be printed as written."))
    else:
        notify(request, _("The minority view is left out of the dossier and the results."))
    return see_other(f"/cycles/{slug}/dossier/consolidation#minority-views")


@get("/cycles/{slug:str}/dossier/preview", name="dossier_preview", guards=[requires_user])
async def preview(
    db_session: DbSession, user: CurrentUser, slug: FromPath[str], language: FromQuery[str] = "fr"
) -> Template:
    """The draft as it will print, in one language or both side by side."""
    access = await cycles.get_cycle(db_session, slug, user)
    require(services.may_consolidate(access))
    language = language if language in LANGUAGE_CHOICES else "fr"
    content = await services.build_content(db_session, access)
    return Template(
        "dossier/document_page.html",
        context={
            "access": access,
            "document": body(content, _language_pair(language)),
            "language_choice": language,
            "version": None,
            "content": content,
            **_export_choices(),
            "export_form": Form(values={"format": "pdf", "language": language}),
        },
    )


async def _published(
    db_session: DbSession, user: CurrentUser, slug: str, number: int | None
) -> tuple[CycleAccess, DossierVersion]:
    access = await cycles.get_cycle(db_session, slug, user)
    if number is None:
        versions = await services.versions(db_session, access.cycle)
        require(bool(versions))
        return access, versions[0]
    return access, await services.get_version(db_session, access.cycle, number)


async def _version_page(
    db_session: DbSession, access: CycleAccess, version: DossierVersion, language: str, export_form: Form | None = None
) -> dict[str, Any]:
    language = language if language in LANGUAGE_CHOICES else "fr-nl"
    content = DossierContent.from_dict(version.content)
    return {
        "access": access,
        "version": version,
        "versions": await services.versions(db_session, access.cycle),
        "content": content,
        "document": body(content, _language_pair(language)),
        "language_choice": language,
        "export_form": export_form or Form(values={"format": "pdf", "language": language}),
        **_export_choices(),
    }


@get("/cycles/{slug:str}/dossier", name="dossier")
async def dossier_page(
    db_session: DbSession, user: CurrentUser, slug: FromPath[str], language: FromQuery[str] = "fr-nl"
) -> Template:
    """The latest published version, readable without an account once the cycle is public."""
    access, version = await _published(db_session, user, slug, None)
    return Template("dossier/document_page.html", context=await _version_page(db_session, access, version, language))


@get("/cycles/{slug:str}/dossier/versions/{number:int}", name="dossier_version")
async def version_page(
    db_session: DbSession,
    user: CurrentUser,
    slug: FromPath[str],
    number: NumberInPath,
    language: FromQuery[str] = "fr-nl",
) -> Template:
    access, version = await _published(db_session, user, slug, number)
    return Template("dossier/document_page.html", context=await _version_page(db_session, access, version, language))


@post("/cycles/{slug:str}/dossier/exports")
async def start_export(request: Request, db_session: DbSession, slug: FromPath[str]) -> Template | Redirect:
    """Start an export of the draft (facilitators) or of a published version (`version` field): the page
    that follows shows its progress."""
    user = current_user(request)
    access = await cycles.get_cycle(db_session, slug, user)
    form = await read_form(request)
    version = None
    if form.get("version"):
        number = bounded_number(form.get("version"))
        require(number is not None)
        assert number is not None
        version = await services.get_version(db_session, access.cycle, number)
    try:
        job, is_new = await jobs.request_export(db_session, access, version, form, user)
    except FormError as error:
        if version is None:
            require(services.may_consolidate(access))
            context = await _workspace_context(db_session, access, export_form=error.form)
            return Template("dossier/consolidation.html", context=context, status_code=400)
        context = await _version_page(db_session, access, version, "fr-nl", error.form)
        return Template("dossier/document_page.html", context=context, status_code=400)
    redirect = see_other(f"/cycles/{slug}/dossier/exports/{job.id}")
    if is_new:
        redirect.background = jobs.start(request, job.id)
    return redirect


@get("/cycles/{slug:str}/dossier/exports/{export_id:uuid}", name="dossier_export")
async def export_page(
    request: Request, db_session: DbSession, user: CurrentUser, slug: FromPath[str], export_id: FromPath[UUID]
) -> Template:
    access = await cycles.get_cycle(db_session, slug, user)
    job = await jobs.get_export(db_session, access, export_id)
    template = "dossier/_export_status.html" if request.htmx else "dossier/export.html"  # type: ignore[attr-defined]
    return Template(
        template, context={"access": access, "job": job, "finished": _finished(job), "failure": jobs.failure_message()}
    )


def _finished(job: DossierExport) -> bool:
    return job.status in (ExportStatus.DONE, ExportStatus.FAILED)


@get("/cycles/{slug:str}/dossier/exports/{export_id:uuid}/download", name="dossier_download")
async def download(
    request: Request, db_session: DbSession, user: CurrentUser, slug: FromPath[str], export_id: FromPath[UUID]
) -> Stream:
    access = await cycles.get_cycle(db_session, slug, user)
    job = await jobs.get_export(db_session, access, export_id)
    size = await jobs.file_size(db_session, job.id) if job.status == ExportStatus.DONE else None
    require(size is not None)
    assert size is not None
    return Stream(
        jobs.file_pieces(request.app.state.db, job.id, size),
        media_type=exports.get_format(job.format).media_type,
        headers={"content-disposition": f'attachment; filename="{job.filename}"', "content-length": str(size)},
    )


dossier_routes = [
    consolidation_page,
    move,
    save_introductions,
    publish,
    review_reason,
    preview,
    dossier_page,
    version_page,
    start_export,
    export_page,
    download,
]
