"""Privacy rights: a person's data as a ZIP of JSON files, and erasing an account.

Erasing keeps the collective record: the account row stays as a pseudonym (recommendations, revisions,
comments and amendments still point at it), ballots stay in the tallies but lose their link to the
person, and everything that only described the person (profile, e-mail, identities, notifications,
memberships, sessions) goes.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, datetime
from enum import Enum
from typing import Any
from uuid import UUID

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from workspace.accounts.models import (
    ActorKind,
    Language,
    OidcIdentity,
    PasswordReset,
    Territory,
    User,
)
from workspace.core import audit
from workspace.core.forms import Form, FormError
from workspace.core.i18n import gettext as _
from workspace.core.tokens import utcnow
from workspace.cycles.models import Cycle, Invitation, Membership, Phase, WorkingGroup
from workspace.discussion.models import (
    Comment,
    CommentEdit,
    Follow,
    Notification,
    NotificationPreference,
    Report,
)
from workspace.dossier.export_cache import forget_discussion_exports
from workspace.recommendations.models import Amendment, CoAuthor, Recommendation, Revision, Translation
from workspace.voting.models import Ballot
from workspace.voting.rules import VOTING_ROLES


class DeletionRefusedError(Exception):
    """The account cannot be erased now; the message says why and when it can."""


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    return value


def _row(obj: Any, *names: str) -> dict[str, Any]:
    return {name: _plain(getattr(obj, name)) for name in names}


async def _all(session: AsyncSession, statement: Any) -> list[Any]:
    return list((await session.scalars(statement)).all())


async def collect(session: AsyncSession, user: User) -> dict[str, Any]:
    """Everything Passerelle holds about the person, by file name."""
    return {
        "profile.json": await _profile(session, user),
        "texts.json": await _texts(session, user),
        "comments.json": await _comments(session, user),
        "ballots.json": await _ballots(session, user),
        "notifications.json": await _notifications(session, user),
    }


async def _profile(session: AsyncSession, user: User) -> dict[str, Any]:
    memberships = (
        await session.execute(
            select(Membership, Cycle.slug, WorkingGroup.name)
            .join(Cycle, Cycle.id == Membership.cycle_id)
            .outerjoin(WorkingGroup, WorkingGroup.id == Membership.group_id)
            .where(Membership.user_id == user.id)
        )
    ).all()
    identities = await _all(session, select(OidcIdentity).where(OidcIdentity.user_id == user.id))
    return {
        **_row(user, "id", "email", "display_name", "organisation", "territory", "side", "actor_kind", "language"),
        **_row(user, "is_admin", "created_at", "last_login_at"),
        "memberships": [
            {**_row(m, "role", "institution", "created_at"), "cycle": slug, "working_group": group}
            for m, slug, group in memberships
        ],
        "sign_in_identities": [_row(identity, "provider", "subject", "created_at") for identity in identities],
    }


async def _texts(session: AsyncSession, user: User) -> dict[str, Any]:
    coauthored = select(CoAuthor.recommendation_id).where(CoAuthor.user_id == user.id)
    recommendations = await _all(
        session,
        select(Recommendation)
        .where(or_(Recommendation.author_id == user.id, Recommendation.id.in_(coauthored)))
        .order_by(Recommendation.created_at),
    )
    revisions = await _all(session, select(Revision).where(Revision.author_id == user.id).order_by(Revision.created_at))
    amendments = await _all(session, select(Amendment).where(Amendment.author_id == user.id))
    translations = await _all(session, select(Translation).where(Translation.translator_id == user.id))
    return {
        "recommendations": [
            {
                **_row(r, "id", "cycle_id", "status", "language", "title", "finding", "proposal", "institutions"),
                **_row(r, "expected_effect", "scheme_fr", "scheme_wal", "scheme_vl", "harmonisation", "created_at"),
                "role": "author" if r.author_id == user.id else "co-author",
            }
            for r in recommendations
        ],
        "revisions": [_row(r, "recommendation_id", "number", "message", "content", "created_at") for r in revisions],
        "amendments": [_row(a, "recommendation_id", "content", "reason", "status", "created_at") for a in amendments],
        "translations": [_row(t, "recommendation_id", "language", "content", "updated_at") for t in translations],
    }


async def _comments(session: AsyncSession, user: User) -> dict[str, Any]:
    comments = await _all(session, select(Comment).where(Comment.author_id == user.id).order_by(Comment.created_at))
    edits = await _all(session, select(CommentEdit).where(CommentEdit.comment_id.in_([c.id for c in comments])))
    reports = await _all(session, select(Report).where(Report.reporter_id == user.id))
    return {
        "comments": [
            _row(c, "id", "recommendation_id", "parent_id", "anchor", "body", "created_at", "edited_at")
            for c in comments
        ],
        "earlier_versions": [_row(e, "comment_id", "body", "created_at") for e in edits],
        "reports": [_row(r, "comment_id", "recommendation_id", "reason", "status", "created_at") for r in reports],
    }


async def _ballots(session: AsyncSession, user: User) -> list[dict[str, Any]]:
    ballots = (
        await session.execute(
            select(Ballot, Recommendation.title)
            .join(Recommendation, Recommendation.id == Ballot.recommendation_id)
            .where(Ballot.user_id == user.id)
            .order_by(Ballot.created_at)
        )
    ).all()
    return [
        {**_row(b, "recommendation_id", "choice", "reason", "side", "actor_kind", "updated_at"), "title": title}
        for b, title in ballots
    ]


async def _notifications(session: AsyncSession, user: User) -> list[dict[str, Any]]:
    notifications = await _all(
        session, select(Notification).where(Notification.user_id == user.id).order_by(Notification.created_at)
    )
    return [_row(n, "kind", "params", "link", "created_at", "read_at") for n in notifications]


async def export_zip(session: AsyncSession, user: User, *, actor_id: UUID) -> bytes:
    files = await collect(session, user)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, json.dumps(content, ensure_ascii=False, indent=2, default=_plain))
    audit.record(session, action="privacy.export", actor_id=actor_id, target_kind="user", target_id=user.id)
    return buffer.getvalue()


async def open_votes(session: AsyncSession, user_id: UUID) -> list[Cycle]:
    """Cycles whose vote is open and in which the person may vote: erasing them now would change it."""
    return await _all(
        session,
        select(Cycle)
        .join(Membership, Membership.cycle_id == Cycle.id)
        .where(Membership.user_id == user_id, Membership.role.in_(VOTING_ROLES), Cycle.phase == Phase.VOTING)
        .distinct(),
    )


def pseudonym(user_id: UUID) -> str:
    return f"Participant {user_id.hex[-6:].upper()}"


async def _forget_name_in_notifications(session: AsyncSession, user_id: UUID) -> None:
    """Other people's notifications about what the person did keep the name it had then: replace it."""
    told = await session.scalars(
        select(Notification).where(Notification.params["actor_id"].as_string() == str(user_id))
    )
    for notification in told:
        notification.params = {**notification.params, "actor": pseudonym(user_id)}


async def erase(session: AsyncSession, user: User, form: Form, *, actor_id: UUID) -> None:
    """Erase the person's data, keeping their contributions under a pseudonym (see the module's doc)."""
    confirmation = form.text("confirm_email", required=True, max_length=254).lower()
    if confirmation and confirmation != user.email.lower():
        form.add_error("confirm_email", _("Type the account's e-mail address exactly to confirm."))
    if not form.is_valid:
        raise FormError(form)
    if votes := await open_votes(session, user.id):
        years = ", ".join(str(cycle.year) for cycle in votes)
        raise DeletionRefusedError(
            _(
                "A vote this account takes part in is open (cycle %(years)s). Deleting the account now would "
                "change its turnout while people are voting: try again once the vote is closed.",
                years=years,
            )
        )
    user_id = user.id
    await session.execute(update(Ballot).where(Ballot.user_id == user_id).values(user_id=None))
    await session.execute(update(Report).where(Report.reporter_id == user_id).values(reporter_id=None))
    # A pending invitation to the address goes: without its address it would become an open link.
    await session.execute(delete(Invitation).where(Invitation.email == user.email, Invitation.accepted_at.is_(None)))
    await session.execute(
        update(Invitation)
        .where(or_(Invitation.accepted_by_id == user_id, Invitation.email == user.email))
        .values(email=None)
    )
    for model, column in (
        (Notification, Notification.user_id),
        (NotificationPreference, NotificationPreference.user_id),
        (Follow, Follow.user_id),
        (Membership, Membership.user_id),
        (OidcIdentity, OidcIdentity.user_id),
        (PasswordReset, PasswordReset.user_id),
    ):
        await session.execute(delete(model).where(column == user_id))
    await _forget_name_in_notifications(session, user_id)
    user.email = f"deleted-{user_id.hex}@invalid"
    user.password_hash = None
    user.display_name = pseudonym(user_id)
    user.organisation = ""
    user.territory = Territory.ELSEWHERE
    user.side = None
    user.actor_kind = ActorKind.SOCIAL_WORKER
    user.language = Language.FRENCH
    user.is_admin = False
    user.is_active = False
    user.last_login_at = None
    user.session_epoch = (user.session_epoch or 0) + 1
    user.deleted_at = utcnow()
    await forget_discussion_exports(session)
    audit.record(
        session,
        action="privacy.delete",
        actor_id=None if actor_id == user_id else actor_id,
        target_kind="user",
        target_id=user_id,
        by_self=actor_id == user_id,
    )
