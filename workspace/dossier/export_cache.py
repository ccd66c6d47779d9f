"""Which export files are kept: those of a published version are served again, until what they hold is
withdrawn; those of the draft are only kept a day (the next export request clears out older ones)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from workspace.dossier.models import DossierExport

DRAFTS_KEPT_FOR = timedelta(days=1)


async def forget_discussion_exports(session: AsyncSession, cycle_id: UUID | None = None) -> None:
    """Delete the exports with the discussion annex (of one cycle, or all): once a comment is hidden or
    deleted, or its author erased, no stored file keeps it (the next request builds a new one)."""
    statement = delete(DossierExport).where(DossierExport.discussion != "")
    if cycle_id is not None:
        statement = statement.where(DossierExport.cycle_id == cycle_id)
    await session.execute(statement)


async def forget_old_drafts(session: AsyncSession) -> None:
    """Delete the draft exports (of every cycle) untouched for DRAFTS_KEPT_FOR: a draft changes, nobody
    downloads yesterday's copy again; one still in progress is touched as it advances. Each export request
    runs it, so the files live a day or until the next export, whichever is later."""
    await session.execute(
        delete(DossierExport).where(
            DossierExport.version_id.is_(None),
            DossierExport.updated_at < datetime.now(UTC) - DRAFTS_KEPT_FOR,
        )
    )
