"""The periodic clean-up: what is past its keeping time goes, what is still in use stays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from tests.factories import make_cycle, make_user
from workspace.accounts.models import MembershipRole, PasswordReset, StoredSession
from workspace.core.db import Database
from workspace.core.jobs import JobContext
from workspace.core.tokens import new_token
from workspace.cycles.models import Invitation
from workspace.discussion.models import Notification
from workspace.recommendations.models import SourceDocument, SourceFormat
from workspace.retention import IMPORT_REVIEWS_KEPT, clean_up


async def _remaining(db: Database, model: type, column: str) -> set[str]:
    async with db.session(write=False) as session:
        return {str(value) for value in (await session.scalars(select(getattr(model, column)))).all()}


async def test_the_clean_up_removes_what_is_past_its_keeping_time_and_keeps_the_rest(db, settings):
    now = datetime.now(UTC)
    person = await make_user(db)
    cycle = await make_cycle(db)
    long_ago = now - timedelta(days=settings.spent_links_kept_days + 1)
    unread_for_long = now - timedelta(days=settings.notifications_kept_days + 1)
    async with db.transaction() as session:
        session.add_all(
            [
                StoredSession(key="expired", value=b"{}", expires_at=now - timedelta(minutes=1)),
                StoredSession(key="current", value=b"{}", expires_at=now + timedelta(days=1)),
                Notification(user_id=person.id, kind="old", created_at=unread_for_long),
                Notification(user_id=person.id, kind="recent", created_at=now - timedelta(days=1)),
                PasswordReset(token_hash=new_token()[1], user_id=person.id, expires_at=long_ago, used_at=None),
                PasswordReset(token_hash="usable", user_id=person.id, expires_at=now + timedelta(hours=1)),
                Invitation(
                    token_hash=new_token()[1],
                    email="gone@reseau.example",
                    role=MembershipRole.MEMBER,
                    cycle_id=cycle.id,
                    expires_at=long_ago,
                ),
                Invitation(
                    token_hash=new_token()[1],
                    email="pending@reseau.example",
                    role=MembershipRole.MEMBER,
                    cycle_id=cycle.id,
                    expires_at=now + timedelta(days=10),
                ),
            ]
        )

    counts = await clean_up(JobContext(db=db, settings=settings, metrics=None), now)

    assert counts["expired sessions"] == 1
    assert await _remaining(db, StoredSession, "key") == {"current"}
    assert await _remaining(db, Notification, "kind") == {"recent"}
    assert await _remaining(db, PasswordReset, "token_hash") == {"usable"}
    assert await _remaining(db, Invitation, "email") == {"pending@reseau.example"}


async def test_a_document_uploaded_for_import_and_never_reviewed_goes_after_a_month(db, settings):
    now = datetime.now(UTC)
    cycle = await make_cycle(db)
    month_and_a_day = now - IMPORT_REVIEWS_KEPT - timedelta(days=1)
    async with db.transaction() as session:
        session.add_all(
            [
                SourceDocument(cycle_id=cycle.id, file_name="oublie.docx", format=SourceFormat.DOCX, proposal={}),
                SourceDocument(cycle_id=cycle.id, file_name="en-cours.docx", format=SourceFormat.DOCX, proposal={}),
                SourceDocument(
                    cycle_id=cycle.id,
                    file_name="importe.docx",
                    format=SourceFormat.DOCX,
                    proposal={},
                    imported_at=month_and_a_day,
                ),
            ]
        )
    async with db.transaction() as session:
        await session.execute(
            update(SourceDocument)
            .where(SourceDocument.file_name.in_(["oublie.docx", "importe.docx"]))
            .values(updated_at=month_and_a_day)
        )

    counts = await clean_up(JobContext(db=db, settings=settings, metrics=None), now)

    assert counts["imports never reviewed"] == 1
    assert await _remaining(db, SourceDocument, "file_name") == {"en-cours.docx", "importe.docx"}
