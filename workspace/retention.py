"""What is kept, and for how long: a periodic job deletes what no one needs any more.

Every ten minutes, in one process (see workspace/core/jobs):
- sessions past their expiry (a session lives 14 days after its last use);
- notifications older than `NOTIFICATIONS_KEPT_DAYS`, read or not;
- password-reset links and invitations `SPENT_LINKS_KEPT_DAYS` after they were used or expired;
- the one-time tokens of forms (core/submissions.py) after `FORM_TOKENS_KEPT` (a form sent again later
  than that makes its thing a second time);
- finished background jobs after `JOBS_KEPT`;
- exports: draft exports after a day (dossier/kept.py), failed ones after a day, and one still marked in
  flight but untouched for `LOST_EXPORT_AFTER` (its job lost) is marked failed, so that it is deleted in turn;
- documents uploaded for import whose split was never reviewed into drafts, after `IMPORT_REVIEWS_KEPT`.
Accounts, contributions, published dossiers and their kept exports, and the audit log are never deleted
by this job. Each kind is deleted in a transaction of its own; the counts are logged.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, or_, update
from sqlalchemy.sql import Delete, Update

from workspace.accounts.models import PasswordReset, StoredSession
from workspace.core.jobs import JobContext, periodic
from workspace.core.jobs.models import BackgroundJob, JobStatus
from workspace.core.models import FormSubmission
from workspace.cycles.models import Invitation
from workspace.discussion.models import Notification
from workspace.dossier.export_cache import DRAFTS_KEPT_FOR
from workspace.dossier.models import DossierExport, ExportStatus
from workspace.recommendations.models import SourceDocument
from workspace.settings import Settings

logger = logging.getLogger("passerelle.retention")

EVERY_SECONDS = 600
FORM_TOKENS_KEPT = timedelta(days=7)
JOBS_KEPT = timedelta(days=7)
LOST_EXPORT_AFTER = timedelta(hours=1)
FAILED_EXPORTS_KEPT = timedelta(days=1)
IMPORT_REVIEWS_KEPT = timedelta(days=30)
"""A document uploaded for import and never turned into drafts: its proposed split (the document's whole text)
is not kept longer than this."""


def statements(settings: Settings, now: datetime) -> dict[str, Delete | Update]:
    notifications = timedelta(days=settings.notifications_kept_days)
    spent = now - timedelta(days=settings.spent_links_kept_days)
    return {
        "expired sessions": delete(StoredSession).where(StoredSession.expires_at <= now),
        "old notifications": delete(Notification).where(Notification.created_at < now - notifications),
        "spent password-reset links": delete(PasswordReset).where(
            or_(PasswordReset.used_at < spent, PasswordReset.expires_at < spent)
        ),
        "spent invitations": delete(Invitation).where(
            or_(Invitation.accepted_at < spent, Invitation.expires_at < spent)
        ),
        "old form tokens": delete(FormSubmission).where(FormSubmission.created_at < now - FORM_TOKENS_KEPT),
        "finished jobs": delete(BackgroundJob).where(
            BackgroundJob.status.in_([JobStatus.DONE, JobStatus.FAILED]), BackgroundJob.finished_at < now - JOBS_KEPT
        ),
        "lost exports": update(DossierExport)
        .where(
            DossierExport.status.in_([ExportStatus.PENDING, ExportStatus.RUNNING]),
            DossierExport.updated_at < now - LOST_EXPORT_AFTER,
        )
        .values(status=ExportStatus.FAILED, error="lost"),
        "failed exports": delete(DossierExport).where(
            DossierExport.status == ExportStatus.FAILED, DossierExport.updated_at < now - FAILED_EXPORTS_KEPT
        ),
        "old draft exports": delete(DossierExport).where(
            DossierExport.version_id.is_(None), DossierExport.updated_at < now - DRAFTS_KEPT_FOR
        ),
        "imports never reviewed": delete(SourceDocument).where(
            SourceDocument.imported_at.is_(None), SourceDocument.updated_at < now - IMPORT_REVIEWS_KEPT
        ),
    }


async def clean_up(context: JobContext, now: datetime | None = None) -> dict[str, int]:
    """Delete what is past its keeping time; returns how many rows of each kind went."""
    counts: dict[str, int] = {}
    for what, statement in statements(context.settings, now or datetime.now(UTC)).items():
        async with context.db.transaction() as session:
            result = await session.execute(statement.execution_options(synchronize_session=False))
        counts[what] = int(result.rowcount or 0)
    removed = {what: count for what, count in counts.items() if count}
    if removed:
        logger.info("Clean-up: %s", ", ".join(f"{count} {what}" for what, count in removed.items()))
    return counts


@periodic("retention", every=EVERY_SECONDS)
async def retention_job(context: JobContext) -> None:
    await clean_up(context)
