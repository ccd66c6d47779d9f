"""Importing a document as drafts: upload, review the proposed split, create the drafts."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import HTTPException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_413_REQUEST_ENTITY_TOO_LARGE
from litestar.types import ControllerRouterHandler
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from workspace.accounts.guards import SignedIn, requires_user
from workspace.core import submissions
from workspace.core.forms import Form, FormError
from workspace.core.i18n import gettext as _
from workspace.core.i18n import ngettext
from workspace.core.web import DbSession, notify, read_form, see_other
from workspace.cycles.access import CycleAccess, require
from workspace.cycles.dependencies import CycleInReach
from workspace.recommendations.content import FIELD_LABELS
from workspace.recommendations.importing import proposal as importing
from workspace.recommendations.importing.readers import MAX_UPLOAD, UnreadableDocument, too_large_message
from workspace.recommendations.models import SourceDocument
from workspace.recommendations.rules import can_import

UPLOAD_FIELD = "document"
BODY_LIMIT = MAX_UPLOAD + 256 * 1024
"""The upload's request may hold the file and the form's few fields."""


def _too_large(request: Request, exception: HTTPException) -> Redirect:
    """A file over the limit is refused before it is read: back to the form, the reason by the file field."""
    return see_other(request.url.path + "?too_large=1")


class ImportController(Controller):
    path = "/cycles/{slug:str}/imports"
    guards = [requires_user]

    @get(name="import_document")
    async def upload_page(self, db_session: DbSession, access: CycleInReach, too_large: FromQuery[int] = 0) -> Template:
        require(can_import(access))
        form = Form()
        if too_large:
            form.add_error(UPLOAD_FIELD, too_large_message())
        return await _upload_page(db_session, access, form, status_code=400 if too_large else 200)

    @post(
        name="import_document_post",
        request_max_body_size=BODY_LIMIT,
        exception_handlers={HTTP_413_REQUEST_ENTITY_TOO_LARGE: _too_large},
    )
    async def upload(
        self, request: Request, db_session: DbSession, me: SignedIn, access: CycleInReach
    ) -> Template | Redirect:
        require(can_import(access))
        data = await request.form()
        upload = data.get(UPLOAD_FIELD)
        form = Form()
        if not isinstance(upload, UploadFile) or not upload.filename:
            form.add_error(UPLOAD_FIELD, _("Choose the document to import."))
            return await _upload_page(db_session, access, form, status_code=400)
        try:
            document = await importing.propose(db_session, access, upload.filename, await upload.read(), me)
        except UnreadableDocument as error:
            form.add_error(UPLOAD_FIELD, str(error))
            return await _upload_page(db_session, access, form, status_code=400)
        return see_other(f"/cycles/{access.cycle.slug}/imports/{document.id}")

    @get("/{document_id:uuid}", name="import_review")
    async def review_page(
        self, request: Request, db_session: DbSession, access: CycleInReach, document_id: FromPath[UUID]
    ) -> Template | Redirect:
        document = await importing.pending(db_session, access, document_id)
        if document.imported_at is not None:
            return _already_imported(request, access)
        return _review_page(access, document, Form())

    @post("/{document_id:uuid}", name="import_review_post")
    async def review(
        self,
        request: Request,
        db_session: DbSession,
        me: SignedIn,
        access: CycleInReach,
        document_id: FromPath[UUID],
    ) -> Template | Redirect:
        form = await read_form(request)
        document = await importing.pending(db_session, access, document_id, lock=True)
        here = f"/cycles/{access.cycle.slug}/imports/{document.id}"
        if document.imported_at is not None:
            return _already_imported(request, access)
        try:
            if form.get("action") == "create":
                return await _create(request, db_session, access, document, me, form)
            anchor = importing.review(document, form, [axis.code for axis in access.cycle.axes])
        except importing.StaleProposal:
            notify(
                request, _("This proposal was changed in another window meanwhile: here it is as it is now."), "info"
            )
            return see_other(here)
        except FormError as error:
            return _review_page(access, document, error.form, status_code=400)
        return see_other(f"{here}#{anchor}")


async def _create(
    request: Request, db_session: AsyncSession, access: CycleAccess, document: SourceDocument, me: Any, form: Form
) -> Redirect:
    once = await submissions.claim(db_session, form, me.id, fallback=f"/cycles/{access.cycle.slug}")
    made = await importing.create_drafts(db_session, access, document, me, form)
    await submissions.settle(db_session, once, f"/cycles/{access.cycle.slug}")
    singular, plural = "%(num)s draft was created from %(file)s.", "%(num)s drafts were created from %(file)s."
    notify(request, ngettext(singular, plural, len(made), file=document.file_name))
    return see_other(f"/cycles/{access.cycle.slug}")


def _already_imported(request: Request, access: CycleAccess) -> Redirect:
    notify(request, _("The drafts of this document were created already."), "info")
    return see_other(f"/cycles/{access.cycle.slug}")


async def _upload_page(db_session: AsyncSession, access: CycleAccess, form: Form, *, status_code: int) -> Template:
    waiting = await db_session.scalars(
        select(SourceDocument)
        .where(SourceDocument.cycle_id == access.cycle.id, SourceDocument.imported_at.is_(None))
        .order_by(SourceDocument.created_at.desc())
        .limit(20)
    )
    context = {
        "access": access,
        "form": form,
        "waiting": list(waiting),
        "max_mb": MAX_UPLOAD // (1024 * 1024),
        "max_drafts": importing.MAX_DRAFTS,
    }
    return Template("recommendations/import.html", context=context, status_code=status_code)


def _review_page(access: CycleAccess, document: SourceDocument, form: Form, *, status_code: int = 200) -> Template:
    proposal = importing.Proposal.of(document)
    for index, draft in enumerate(proposal.drafts):
        form.values.setdefault(f"axis-{index}", draft.axis)
        form.values.setdefault(f"title-{index}", draft.title)
    form.values.setdefault("language", proposal.language)
    context = {
        "access": access,
        "document": document,
        "proposal": proposal,
        "form": form,
        "field_labels": FIELD_LABELS,
    }
    return Template("recommendations/import_review.html", context=context, status_code=status_code)


import_routes: list[ControllerRouterHandler] = [ImportController]
