"""The inbox: what reaches whom (mentions, replies, new comments, phases, votes), their settings, and
the e-mail copy in the recipient's language.

A notification stores its kind and parameters, not a sentence: the inbox words it in the reader's
language when it is read. E-mails are composed after the transaction commits and sent in the
background, so a slow mail server never delays or loses a comment.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from workspace.accounts.models import MembershipRole, User
from workspace.core import i18n, labels
from workspace.core.i18n import gettext as _
from workspace.core.i18n import lazy_gettext
from workspace.core.mail import Mailer
from workspace.cycles.models import Cycle, Membership, Phase
from workspace.discussion.models import Comment, Follow, Notification, NotificationPreference
from workspace.recommendations.models import CoAuthor, Recommendation

logger = logging.getLogger("passerelle.notifications")

KINDS = {
    "mention": lazy_gettext("Someone mentions me"),
    "reply": lazy_gettext("Someone answers my comment"),
    "comment": lazy_gettext("New comments on what I wrote or follow"),
    "phase": lazy_gettext("A cycle I take part in changes phase"),
    "vote": lazy_gettext("A vote opens or closes"),
    "answer": lazy_gettext("An authority answers what I wrote"),
    "report": lazy_gettext("Something is reported in a cycle I facilitate"),
    "correction": lazy_gettext("A facilitator corrects what I wrote after the vote"),
}
INBOX_SIZE = 100


@dataclass(frozen=True)
class Outgoing:
    """An e-mail to send once the transaction is committed."""

    to: str
    language: str
    kind: str
    params: dict[str, Any]
    link: str


def describe(kind: str, params: dict[str, Any], names: dict[str, str] | None = None) -> str:
    """The notification as a sentence in the current language. `names` gives people's names as they
    are now (an erased account shows its pseudonym, not the name it had when it commented)."""
    name = (names or {}).get(params.get("actor_id", ""), params.get("actor")) or _("Someone")
    title = params.get("title", "")
    if i18n.current_language.get() == "nl" and params.get("cycle_nl"):
        params = {**params, "cycle": params["cycle_nl"]}
    if kind == "mention":
        return _("%(name)s mentioned you in the discussion of “%(title)s”.", name=name, title=title)
    if kind == "reply":
        return _("%(name)s answered your comment on “%(title)s”.", name=name, title=title)
    if kind == "comment":
        return _("%(name)s commented on “%(title)s”.", name=name, title=title)
    if kind == "phase":
        return _("“%(cycle)s” moved to a new phase: %(phase)s.", cycle=params.get("cycle", ""), phase=_phase(params))
    if kind == "vote":
        if params.get("opened"):
            return _("The vote is open in “%(cycle)s”.", cycle=params.get("cycle", ""))
        return _("The vote is closed in “%(cycle)s”: the results are out.", cycle=params.get("cycle", ""))
    if kind == "answer":
        if params.get("institution"):
            return _("%(institution)s answered “%(title)s”.", institution=params["institution"], title=title)
        return _("An authority answered “%(title)s”.", title=title)
    if kind == "report":
        if params.get("comment"):
            return _("%(name)s reported a comment on “%(title)s”.", name=name, title=title)
        return _("%(name)s reported “%(title)s”.", name=name, title=title)
    if kind == "correction":
        return _(
            "%(name)s corrected “%(title)s” after the vote: %(reason)s",
            name=name,
            title=title,
            reason=params.get("reason", ""),
        )
    return _("Something changed.")


def _phase(params: dict[str, Any]) -> str:
    return labels.label(str(params.get("phase", "")), Phase)


async def _preferences(session: AsyncSession, user_ids: Iterable[UUID]) -> dict[UUID, NotificationPreference]:
    ids = list(user_ids)
    if not ids:
        return {}
    rows = await session.scalars(select(NotificationPreference).where(NotificationPreference.user_id.in_(ids)))
    return {row.user_id: row for row in rows}


async def deliver(
    session: AsyncSession,
    recipients: dict[UUID, str],
    params: dict[str, Any],
    link: str,
    *,
    actor_id: UUID | None,
    cycle_id: UUID,
) -> list[Outgoing]:
    """One notification per recipient (user id → kind), unless they muted the kind; the e-mails to send.
    Only people who still belong to the cycle (or admins) hear of it: nobody is told of what they cannot
    open."""
    recipients = {user_id: kind for user_id, kind in recipients.items() if user_id != actor_id}
    if not recipients:
        return []
    preferences = await _preferences(session, recipients)
    in_cycle = select(Membership.user_id).where(Membership.cycle_id == cycle_id)
    users = {
        user.id: user
        for user in await session.scalars(
            select(User).where(
                User.id.in_(list(recipients)),
                User.is_active,
                User.deleted_at.is_(None),
                or_(User.is_admin, User.id.in_(in_cycle)),
            )
        )
    }
    outgoing: list[Outgoing] = []
    for user_id, kind in recipients.items():
        user = users.get(user_id)
        if user is None:
            continue
        preference = preferences.get(user_id)
        if preference is None or kind not in preference.muted:
            session.add(Notification(user_id=user_id, kind=kind, params=params, link=link))
        if preference is not None and kind in preference.by_email:
            outgoing.append(Outgoing(user.email, user.language.value, kind, params, link))
    return outgoing


def mentioned(body: str, people: Iterable[User]) -> set[UUID]:
    """People whose whole display name follows an @ in the text (any case). At each @ the longest name
    wins: "@Ann Peeters" reaches Ann Peeters, not a member called Ann."""
    lowered = body.casefold()
    if "@" not in lowered:
        return set()
    claimed: set[int] = set()
    found: set[UUID] = set()
    for person in sorted(people, key=lambda person: len(person.display_name), reverse=True):
        name = re.escape(person.display_name.casefold())
        for match in re.finditer(rf"@{name}(?!\w)", lowered):
            if match.start() not in claimed:
                claimed.add(match.start())
                found.add(person.id)
    return found


async def cycle_people(session: AsyncSession, cycle_id: UUID) -> list[User]:
    return list(
        (
            await session.scalars(
                select(User).join(Membership, Membership.user_id == User.id).where(Membership.cycle_id == cycle_id)
            )
        )
        .unique()
        .all()
    )


async def on_comment(
    session: AsyncSession, comment: Comment, recommendation: Recommendation, actor: User
) -> list[Outgoing]:
    """Who hears of a new comment: people mentioned, the author of the comment answered, and the
    recommendation's authors and followers (a person gets the most specific notification only)."""
    recipients: dict[UUID, str] = {}
    followers = await session.scalars(select(Follow.user_id).where(Follow.recommendation_id == recommendation.id))
    for user_id in followers:
        recipients[user_id] = "comment"
    if recommendation.author_id:
        recipients[recommendation.author_id] = "comment"
    coauthors = await session.scalars(select(CoAuthor.user_id).where(CoAuthor.recommendation_id == recommendation.id))
    for user_id in coauthors:
        recipients[user_id] = "comment"
    if comment.parent_id:
        parent_author = await session.scalar(select(Comment.author_id).where(Comment.id == comment.parent_id))
        if parent_author:
            recipients[parent_author] = "reply"
    if "@" in comment.body:
        for user_id in mentioned(comment.body, await cycle_people(session, recommendation.cycle_id)):
            recipients[user_id] = "mention"
    params = {"actor": actor.display_name, "actor_id": str(actor.id), "title": recommendation.title}
    link = f"/recommendations/{recommendation.id}#comment-{comment.id}"
    return await deliver(session, recipients, params, link, actor_id=actor.id, cycle_id=recommendation.cycle_id)


async def on_answer(
    session: AsyncSession, recommendation: Recommendation, institution: str, *, actor_id: UUID | None
) -> list[Outgoing]:
    """The authors and co-authors of a recommendation hear that an authority answered it."""
    recipients: dict[UUID, str] = {}
    if recommendation.author_id:
        recipients[recommendation.author_id] = "answer"
    for user_id in await session.scalars(
        select(CoAuthor.user_id).where(CoAuthor.recommendation_id == recommendation.id)
    ):
        recipients[user_id] = "answer"
    params = {"title": recommendation.title, "institution": institution}
    link = f"/recommendations/{recommendation.id}"
    return await deliver(session, recipients, params, link, actor_id=actor_id, cycle_id=recommendation.cycle_id)


async def on_correction(
    session: AsyncSession, recommendation: Recommendation, actor: User, reason: str
) -> list[Outgoing]:
    """The authors and co-authors hear that a facilitator corrected their text after the vote, and why."""
    recipients: dict[UUID, str] = {}
    if recommendation.author_id:
        recipients[recommendation.author_id] = "correction"
    for user_id in await session.scalars(
        select(CoAuthor.user_id).where(CoAuthor.recommendation_id == recommendation.id)
    ):
        recipients[user_id] = "correction"
    params = {"actor": actor.display_name, "actor_id": str(actor.id), "title": recommendation.title, "reason": reason}
    link = f"/recommendations/{recommendation.id}/history"
    return await deliver(session, recipients, params, link, actor_id=actor.id, cycle_id=recommendation.cycle_id)


async def on_report(
    session: AsyncSession, recommendation: Recommendation, actor: User, *, comment: Comment | None = None
) -> list[Outgoing]:
    """Every facilitator of the cycle hears of a new report, with a link to the moderation queue."""
    cycle = await session.get_one(Cycle, recommendation.cycle_id)
    facilitators = await session.scalars(
        select(Membership.user_id).where(Membership.cycle_id == cycle.id, Membership.role == MembershipRole.FACILITATOR)
    )
    params: dict[str, Any] = {"actor": actor.display_name, "actor_id": str(actor.id), "title": recommendation.title}
    if comment is not None:
        params["comment"] = str(comment.id)
    recipients = dict.fromkeys(set(facilitators), "report")
    link = f"/cycles/{cycle.slug}/moderation"
    return await deliver(session, recipients, params, link, actor_id=actor.id, cycle_id=cycle.id)


async def on_phase(session: AsyncSession, cycle: Cycle, actor_id: UUID | None) -> list[Outgoing]:
    """Everyone in the cycle hears of a phase change; opening and closing the vote are their own kind."""
    members = await session.scalars(
        select(Membership.user_id).where(Membership.cycle_id == cycle.id, Membership.role != MembershipRole.AUTHORITY)
    )
    kind = "vote" if cycle.phase in (Phase.VOTING, Phase.CONSOLIDATION) else "phase"
    params: dict[str, Any] = {"cycle": cycle.title_fr, "cycle_nl": cycle.title_nl, "phase": cycle.phase.value}
    if kind == "vote":
        params["opened"] = cycle.phase == Phase.VOTING
    recipients = dict.fromkeys(set(members), kind)
    return await deliver(session, recipients, params, f"/cycles/{cycle.slug}", actor_id=actor_id, cycle_id=cycle.id)


async def unread_count(session: AsyncSession, user_id: UUID) -> int:
    return (
        await session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        )
    ) or 0


async def current_names(session: AsyncSession, items: list[Notification]) -> dict[str, str]:
    ids = {UUID(item.params["actor_id"]) for item in items if item.params.get("actor_id")}
    if not ids:
        return {}
    return {
        str(row.id): row.display_name
        for row in await session.execute(select(User.id, User.display_name).where(User.id.in_(ids)))
    }


async def inbox(session: AsyncSession, user: User) -> list[Notification]:
    return list(
        (
            await session.scalars(
                select(Notification)
                .where(Notification.user_id == user.id)
                .order_by(Notification.created_at.desc())
                .limit(INBOX_SIZE)
            )
        ).all()
    )


async def find(session: AsyncSession, user: User, notification_id: UUID) -> Notification | None:
    return await session.scalar(
        select(Notification).where(Notification.id == notification_id, Notification.user_id == user.id)
    )


async def mark_read(session: AsyncSession, user: User, notification_id: UUID | None = None) -> None:
    statement = update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if notification_id is not None:
        statement = statement.where(Notification.id == notification_id)
    await session.execute(statement.values(read_at=datetime.now(UTC)))


async def preference(session: AsyncSession, user: User) -> NotificationPreference:
    row = await session.scalar(select(NotificationPreference).where(NotificationPreference.user_id == user.id))
    return row or NotificationPreference(user_id=user.id, muted=[], by_email=[])


async def save_preference(session: AsyncSession, user: User, in_inbox: set[str], by_email: set[str]) -> None:
    row = await session.scalar(select(NotificationPreference).where(NotificationPreference.user_id == user.id))
    if row is None:
        row = NotificationPreference(user_id=user.id)
        session.add(row)
    row.muted = sorted(kind for kind in KINDS if kind not in in_inbox)
    row.by_email = sorted(kind for kind in KINDS if kind in by_email)


async def send_emails(mailer: Mailer, base_url: str, outgoing: list[Outgoing]) -> None:
    """Each e-mail in its recipient's language, stored as a mail job (run after the response, outside any
    transaction; the job sends it, and tries again while the mail server is away)."""
    for mail in outgoing:
        token = i18n.current_language.set(mail.language)
        try:
            subject = " ".join(_("Passerelle: %(what)s", what=describe(mail.kind, mail.params)).split())
            body = "\n\n".join(
                [
                    describe(mail.kind, mail.params),
                    _("Read it on Passerelle: %(url)s", url=base_url.rstrip("/") + mail.link),
                    _("You receive this e-mail because you asked for it in your notification settings."),
                ]
            )
        finally:
            i18n.current_language.reset(token)
        try:
            await mailer.queue(to=mail.to, subject=subject[:200], body=body)
        except ValueError:
            logger.exception("E-mail to %s not sent: it could not be composed", mail.to)


async def unread_replies_and_mentions(session: AsyncSession, user: User, limit: int = 10) -> list[Notification]:
    """The replies and mentions the person has not read yet, newest first."""
    return list(
        (
            await session.scalars(
                select(Notification)
                .where(
                    Notification.user_id == user.id,
                    Notification.read_at.is_(None),
                    Notification.kind.in_(("reply", "mention")),
                )
                .order_by(Notification.created_at.desc())
                .limit(limit)
            )
        ).all()
    )
