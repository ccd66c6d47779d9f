"""The consolidation workspace, the published dossier and its exports."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Stream, Template
from sqlalchemy.ext.asyncio import AsyncSession

from workspace.accounts.guards import CurrentUser, SignedIn, requires_user
from workspace.core.forms import Form, FormError
from workspace.core.i18n import gettext as _
from workspace.core.inputs import NumberInPath, bounded_number
from workspace.core.web import DbSession, found, notify, read_form, see_other
from workspace.cycles.access import CycleAccess, require
from workspace.cycles.dependencies import CycleInReach
from workspace.dossier import exports, guard, jobs, publishing, reasons, services
from workspace.dossier.content import LANGUAGE_CHOICES, DossierContent
from workspace.dossier.exports.document import body
from workspace.dossier.models import DossierExport, DossierVersion, ExportStatus


def _export_choices() -> dict[str, Any]:
    return {"formats": exports.FORMAT_NAMES, "language_choices": list(LANGUAGE_CHOICES)}


def _language_pair(language: str) -> tuple[str, ...]:
    return (language,) if language in ("fr", "nl") else ("fr", "nl")


async def _workspace_context(db_session: AsyncSession, access: CycleAccess, **extra: Any) -> dict[str, Any]:
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


async def _published(db_session: AsyncSession, access: CycleAccess, number: int | None) -> DossierVersion:
    if number is None:
        versions = await services.versions(db_session, access.cycle)
        require(bool(versions))
        return versions[0]
    return await services.get_version(db_session, access.cycle, number)


async def _version_page(
    db_session: AsyncSession,
    access: CycleAccess,
    version: DossierVersion,
    language: str,
    export_form: Form | None = None,
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


class DossierController(Controller):
    """A cycle's dossier: consolidating the draft (facilitators), its published versions (readable
    without an account once the cycle is public) and their exports."""

    path = "/cycles/{slug:str}/dossier"

    @get("/consolidation", name="consolidation", guards=[requires_user])
    async def consolidation_page(self, db_session: DbSession, access: CycleInReach) -> Template:
        require(services.may_consolidate(access))
        return Template("dossier/consolidation.html", context=await _workspace_context(db_session, access))

    @post("/move", name="dossier_move", guards=[requires_user])
    async def move(self, request: Request, db_session: DbSession, access: CycleInReach) -> Redirect:
        form = await read_form(request)
        try:
            recommendation_id = UUID(form.get("recommendation_id"))
        except ValueError:
            raise NotFoundException() from None
        await services.move(db_session, access, recommendation_id, form.get("direction"))
        return see_other(f"/cycles/{access.cycle.slug}/dossier/consolidation#rec-{recommendation_id}")

    @post("/introductions", name="dossier_introductions", guards=[requires_user])
    async def save_introductions(
        self, request: Request, db_session: DbSession, me: SignedIn, access: CycleInReach
    ) -> Template | Redirect:
        require(services.may_consolidate(access))
        try:
            await services.save_introductions(db_session, access, await read_form(request), me)
        except FormError as error:
            context = await _workspace_context(db_session, access, intro_form=error.form)
            return Template("dossier/consolidation.html", context=context, status_code=400)
        notify(request, _("The introductions have been saved."))
        return see_other(f"/cycles/{access.cycle.slug}/dossier/consolidation#introductions")

    @post("/publish", name="dossier_publish", guards=[requires_user])
    async def publish(
        self, request: Request, db_session: DbSession, me: SignedIn, access: CycleInReach
    ) -> Template | Redirect:
        require(services.may_consolidate(access))
        try:
            version = await publishing.publish(db_session, access, await read_form(request), me)
        except FormError as error:
            context = await _workspace_context(db_session, access, publish_form=error.form)
            return Template("dossier/consolidation.html", context=context, status_code=400)
        notify(request, _("Version %(number)s of the dossier is published.", number=version.number))
        return see_other(f"/cycles/{access.cycle.slug}/dossier/versions/{version.number}")

    @post("/reasons", name="dossier_reasons", guards=[requires_user])
    async def review_reason(
        self, request: Request, db_session: DbSession, me: SignedIn, access: CycleInReach
    ) -> Redirect:
        """A facilitator keeps a minority view the guard flags, or leaves it out of the dossier."""
        decision = await guard.review_reason(db_session, access, await read_form(request), me)
        if decision == reasons.KEEP:
            notify(request, _("The minority view will be printed as written."))
        else:
            notify(request, _("The minority view is left out of the dossier and the results."))
        return see_other(f"/cycles/{access.cycle.slug}/dossier/consolidation#minority-views")

    @get("/preview", name="dossier_preview", guards=[requires_user])
    async def preview(self, db_session: DbSession, access: CycleInReach, language: FromQuery[str] = "fr") -> Template:
        """The draft as it will print, in one language or both side by side."""
        require(services.may_consolidate(access))
        language = language if language in LANGUAGE_CHOICES else "fr"
        content = await services.build_content(db_session, access)
        context = {
            "access": access,
            "document": body(content, _language_pair(language)),
            "language_choice": language,
            "version": None,
            "content": content,
            **_export_choices(),
            "export_form": Form(values={"format": "pdf", "language": language}),
        }
        return Template("dossier/document_page.html", context=context)

    @get(name="dossier")
    async def dossier_page(
        self, db_session: DbSession, access: CycleInReach, language: FromQuery[str] = "fr-nl"
    ) -> Template:
        """The latest published version."""
        version = await _published(db_session, access, None)
        return Template(
            "dossier/document_page.html", context=await _version_page(db_session, access, version, language)
        )

    @get("/versions/{number:int}", name="dossier_version")
    async def version_page(
        self, db_session: DbSession, access: CycleInReach, number: NumberInPath, language: FromQuery[str] = "fr-nl"
    ) -> Template:
        version = await _published(db_session, access, number)
        return Template(
            "dossier/document_page.html", context=await _version_page(db_session, access, version, language)
        )

    @post("/exports", name="dossier_export_start")
    async def start_export(
        self, request: Request, db_session: DbSession, user: CurrentUser, access: CycleInReach
    ) -> Template | Redirect:
        """Start an export of the draft (facilitators) or of a published version (`version` field): the
        page that follows shows its progress."""
        form = await read_form(request)
        version = None
        if form.get("version"):
            number = found(bounded_number(form.get("version")))
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
        redirect = see_other(f"/cycles/{access.cycle.slug}/dossier/exports/{job.id}")
        if is_new:
            redirect.background = jobs.start(request, job.id)
        return redirect

    @get("/exports/{export_id:uuid}", name="dossier_export")
    async def export_page(
        self, request: HTMXRequest, db_session: DbSession, access: CycleInReach, export_id: FromPath[UUID]
    ) -> Template:
        job = await jobs.get_export(db_session, access, export_id)
        template = "dossier/_export_status.html" if request.htmx else "dossier/export.html"
        context = {"access": access, "job": job, "finished": _finished(job), "failure": jobs.failure_message()}
        return Template(template, context=context)

    @get("/exports/{export_id:uuid}/download", name="dossier_download")
    async def download(
        self, request: Request, db_session: DbSession, access: CycleInReach, export_id: FromPath[UUID]
    ) -> Stream:
        """The file in pieces from the database, so that a large dossier never sits whole in memory."""
        job = await jobs.get_export(db_session, access, export_id)
        size = found(await jobs.file_size(db_session, job.id) if job.status == ExportStatus.DONE else None)
        return Stream(
            jobs.file_pieces(request.app.state.db, job.id, size),
            media_type=exports.get_format(job.format).media_type,
            headers={"content-disposition": f'attachment; filename="{job.filename}"', "content-length": str(size)},
        )


def _finished(job: DossierExport) -> bool:
    return job.status in (ExportStatus.DONE, ExportStatus.FAILED)


dossier_routes = [DossierController]
