"""Exports run in the background, as jobs ("export", see workspace/core/jobs): any process that runs jobs.

The request that asks for an export stores a pending row and returns at once; once it is committed the job
is stored, and whichever process runs it builds the content in a read session, renders it on a worker thread
(a large dossier takes seconds, the PDF in a Typst process of its own: the event loop keeps serving
meanwhile) and stores the file. While it renders, the row's progress moves on every few seconds, so the
person sees it is alive. A process killed mid-export leaves the job to another, which starts it again within
about a minute (the person sees the progress start again). Exports of a published version are kept and
served again; draft exports are rebuilt each time and kept a day (workspace/dossier/export_cache.py). Asking again
for an export still in flight shows that one, unless it was not touched for STALE_AFTER (its job lost): then
a new one starts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from litestar import Request
from litestar.background_tasks import BackgroundTask
from sqlalchemy import LargeBinary, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from workspace.accounts.models import User
from workspace.core.db import Database
from workspace.core.forms import Form, FormError
from workspace.core.i18n import gettext as _
from workspace.core.jobs import JobContext, after_response, task
from workspace.core.web import found
from workspace.cycles.access import CycleAccess, require
from workspace.cycles.models import Cycle
from workspace.dossier import annex, exports, services
from workspace.dossier.content import LANGUAGE_CHOICES, DossierContent, languages_of
from workspace.dossier.export_cache import forget_old_drafts
from workspace.dossier.models import DossierExport, DossierVersion, ExportStatus

logger = logging.getLogger("passerelle.exports")
RENDERS_AT_ONCE = 1
"""A 300-recommendation PDF takes some 550 MB while Typst lays it out: one render at a time per process."""
_slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = weakref.WeakKeyDictionary()
IN_FLIGHT = (ExportStatus.PENDING, ExportStatus.RUNNING)
ASKED = "asked"
"""The discussion column of an export of the draft with the annex, until it holds the digest of what it shows."""
STALE_AFTER = timedelta(minutes=10)
"""An export in flight and untouched this long lost its job: asking again starts a new one."""
ALIVE_EVERY = 5.0
"""Seconds between two moves of a rendering export's progress (its sign of life)."""
RENDER_PROGRESS = (40, 90)


def read_choice(form: Form) -> tuple[str, str, bool]:
    """The format, the language and whether to add the discussion annex (the table formats have one row per
    recommendation and leave it out), or FormError with the message beside the field."""
    format_name = form.choice("format", list(exports.FORMAT_NAMES))
    language = form.choice("language", list(LANGUAGE_CHOICES))
    if not form.is_valid:
        raise FormError(form)
    return format_name, language, bool(form.get("discussion")) and format_name in exports.WITH_DISCUSSION


def may_export(access: CycleAccess, version: DossierVersion | None) -> bool:
    """A published version: whoever may read the cycle. The draft: facilitators only."""
    return access.can_view if version is not None else services.may_consolidate(access)


async def request_export(
    session: AsyncSession, access: CycleAccess, version: DossierVersion | None, form: Form, user: User | None
) -> tuple[DossierExport, bool]:
    """The export to show: one already kept for this version, format, language and discussion annex (the
    same discussion), or a new pending one (True: a task must be started once the transaction is committed)."""
    require(may_export(access, version))
    format_name, language, with_discussion = read_choice(form)
    discussion = ASKED if with_discussion else ""
    await forget_old_drafts(session)
    if version is not None:
        if with_discussion:
            discussion = await annex.discussion_key(session, access.cycle.id, version.created_at)
        kept = await session.scalar(
            select(DossierExport)
            .where(
                DossierExport.version_id == version.id,
                DossierExport.format == format_name,
                DossierExport.language == language,
                DossierExport.discussion == discussion,
                (DossierExport.status == ExportStatus.DONE)
                | (DossierExport.status.in_(IN_FLIGHT) & (DossierExport.updated_at > datetime.now(UTC) - STALE_AFTER)),
            )
            .order_by(DossierExport.created_at.desc())
            .limit(1)
        )
        if kept is not None:
            return kept, False
    published = date.fromisoformat(version.content["published_on"]) if version else date.today()
    extension = exports.get_format(format_name).extension
    suffix = (f"_v{version.number}" if version else "_draft") + ("_discussion" if with_discussion else "")
    job = DossierExport(
        cycle_id=access.cycle.id,
        version_id=version.id if version else None,
        format=format_name,
        language=language,
        discussion=discussion,
        status=ExportStatus.PENDING,
        progress=0,
        filename=f"{access.cycle.slug}_{language}_{published.isoformat()}{suffix}.{extension}",
        error="",
        requested_by_id=user.id if user else None,
    )
    session.add(job)
    await session.flush()
    return job, True


async def get_export(session: AsyncSession, access: CycleAccess, export_id: UUID) -> DossierExport:
    job = await session.scalar(
        select(DossierExport).where(DossierExport.id == export_id, DossierExport.cycle_id == access.cycle.id)
    )
    job = found(job)
    version = await session.get(DossierVersion, job.version_id) if job.version_id else None
    require(may_export(access, version))
    return job


def start(request: Request[Any, Any, Any], export_id: UUID) -> BackgroundTask:
    """The export's job, stored once the response is sent (the row is committed by then)."""
    return after_response(request, "export", export_id=str(export_id))


@task("export", queue="exports", attempts=3, first_wait=5)
async def export_job(context: JobContext, *, export_id: str) -> None:
    await run(context.db, UUID(export_id))


async def _set(db: Database, export_id: UUID, **values: object) -> None:
    async with db.transaction() as session:
        job = await session.get(DossierExport, export_id)
        if job is not None:
            for name, value in values.items():
                setattr(job, name, value)


async def _content(db: Database, job: DossierExport) -> DossierContent:
    async with db.session(write=False, background=True) as session:
        until = None
        if job.version_id is not None:
            version = await session.get(DossierVersion, job.version_id)
            assert version is not None
            content = DossierContent.from_dict(version.content)
            until = version.created_at
        else:
            cycle = await session.scalar(
                select(Cycle).where(Cycle.id == job.cycle_id).options(selectinload(Cycle.axes))
            )
            assert cycle is not None
            access = CycleAccess(cycle=cycle, user=None, roles=frozenset(), group_ids=frozenset())
            content = await services.build_content(session, access)
        if job.discussion:
            await annex.add_discussion(session, content, until=until)
        return content


@contextlib.asynccontextmanager
async def _alive(db: Database, export_id: UUID) -> Any:
    """While the block runs, move the export's progress on every ALIVE_EVERY seconds (up to 90 %)."""

    async def beat() -> None:
        progress = RENDER_PROGRESS[0]
        while True:
            await asyncio.sleep(ALIVE_EVERY)
            progress = min(progress + 5, RENDER_PROGRESS[1])
            async with db.transaction() as session:
                await session.execute(
                    update(DossierExport)
                    .where(DossierExport.id == export_id, DossierExport.status == ExportStatus.RUNNING)
                    .values(progress=progress, updated_at=datetime.now(UTC))
                )

    beating = asyncio.create_task(beat(), name=f"export-{export_id}-alive")
    try:
        yield
    finally:
        beating.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await beating


async def run(db: Database, export_id: UUID) -> None:
    try:
        async with db.session(write=False, background=True) as session:
            job = await session.get(DossierExport, export_id)
        if job is None or job.status == ExportStatus.DONE:
            return
        await _set(db, export_id, status=ExportStatus.RUNNING, progress=10)
        if job.discussion:  # what the discussion this file will hold depends on, read before it is
            async with db.session(write=False, background=True) as session:
                until = await session.scalar(
                    select(DossierVersion.created_at).where(DossierVersion.id == job.version_id)
                )
                key = await annex.discussion_key(session, job.cycle_id, until)
            await _set(db, export_id, discussion=key)
        content = await _content(db, job)
        await _set(db, export_id, progress=RENDER_PROGRESS[0])
        slot = _slots.setdefault(asyncio.get_running_loop(), asyncio.Semaphore(RENDERS_AT_ONCE))
        async with slot, _alive(db, export_id):
            data = await asyncio.to_thread(exports.render, content, job.format, languages_of(job.language))
        await _set(db, export_id, status=ExportStatus.DONE, progress=100, data=data)
    except Exception as error:
        logger.exception("export %s failed", export_id)
        await _set(db, export_id, status=ExportStatus.FAILED, error=type(error).__name__)


PIECE = 256 * 1024
"""Bytes of an export file read from the database at a time while it is downloaded."""


async def file_size(session: AsyncSession, export_id: UUID) -> int | None:
    size = await session.scalar(select(func.length(DossierExport.data)).where(DossierExport.id == export_id))
    return int(size) if size is not None else None


async def file_pieces(db: Database, export_id: UUID, size: int) -> AsyncIterator[bytes]:
    """The export's file in pieces, each read in a short session of its own: a slow download holds no
    database connection and the process never holds the whole file."""
    piece = func.substr(DossierExport.data, bindparam("start"), PIECE, type_=LargeBinary)
    statement = select(piece).where(DossierExport.id == export_id)
    for offset in range(0, size, PIECE):
        async with db.session(write=False) as session:
            data = await session.scalar(statement, {"start": offset + 1})
        if not data:
            return
        yield bytes(data)


def failure_message() -> str:
    return _("The export failed. Please try again; if it fails again, tell the facilitators.")
