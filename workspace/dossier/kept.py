"""Kept export files that hold a discussion annex are forgotten when what they hold is withdrawn."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from workspace.dossier.models import DossierExport


async def forget_discussion_exports(session: AsyncSession, cycle_id: UUID | None = None) -> None:
    """Delete the exports with the discussion annex (of one cycle, or all): once a comment is hidden or
    deleted, or its author erased, no stored file keeps it (the next request builds a new one)."""
    statement = delete(DossierExport).where(DossierExport.discussion != "")
    if cycle_id is not None:
        statement = statement.where(DossierExport.cycle_id == cycle_id)
    await session.execute(statement)
