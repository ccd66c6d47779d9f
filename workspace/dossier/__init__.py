"""The consolidated dossier, its exports, and the authorities' answers."""

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from workspace.discussion.signals import comment_withdrawn
from workspace.dossier.export_cache import forget_discussion_exports


@comment_withdrawn.connect
async def _forget_exports_keeping_the_comment(_comment: object, *, session: AsyncSession, cycle_id: UUID) -> None:
    """A hidden or deleted comment leaves every stored export with the discussion annex of its cycle."""
    await forget_discussion_exports(session, cycle_id)
