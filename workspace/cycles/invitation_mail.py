"""The e-mail that carries an invitation, in the invitee's language, and what became of it.

The invitee's language is the one of their account when the address has one, else the one the inviter
chose on the form. The invitation remembers whether its e-mail is waiting, was sent, or could not be sent
(`Invitation.mail_status`, set from `core.mail.mail_settled`), so the inviter's list never says "sent"
for a mail that did not leave; the link is shown to the inviter all the same, to send it another way.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import update

from workspace.accounts.models import MembershipRole, User
from workspace.core import i18n
from workspace.core.db import Database
from workspace.core.i18n import gettext as _
from workspace.core.mail import mail_settled
from workspace.cycles.models import Cycle, Invitation, WorkingGroup

ABOUT_PREFIX = "invitation:"
WAITING, SENT, FAILED = "waiting", "sent", "failed"


def _role_words(role: MembershipRole) -> str:
    return {
        MembershipRole.MEMBER: _("as a member"),
        MembershipRole.FACILITATOR: _("as a facilitator"),
        MembershipRole.AUTHORITY: _("as an authority reviewer"),
    }.get(role, _("as a member"))


def compose(
    invitation: Invitation, *, cycle: Cycle, group: WorkingGroup | None, inviter: User, link: str
) -> tuple[str, str]:
    """The subject and body, in the invitation's language."""
    token = i18n.current_language.set(invitation.language)
    try:
        title = cycle.title(invitation.language)
        group_name = group.name if group is not None else None
        subject = _("Invitation to Passerelle: %(title)s", title=title)
        lines = [
            _(
                "%(inviter)s invites you to join %(title)s on Passerelle %(role)s.",
                inviter=inviter.display_name,
                title=title,
                role=_role_words(invitation.role),
            )
        ]
        if group_name:
            lines.append(_("You will be in the working group %(group)s.", group=group_name))
        if invitation.note:
            lines.append(invitation.note)
        lines.append(
            _(
                "To accept, open this link within 30 days; it works once, and only for this address:\n%(link)s",
                link=link,
            )
        )
        lines.append(_("If you did not expect this invitation, ignore this message."))
        return subject, "\n\n".join(lines)
    finally:
        i18n.current_language.reset(token)


def about(invitation_id: UUID) -> str:
    return f"{ABOUT_PREFIX}{invitation_id}"


@mail_settled.connect
async def _remember_what_became_of_the_mail(subject: str, *, delivered: bool, db: Database, **_: Any) -> None:
    if not subject.startswith(ABOUT_PREFIX):
        return
    invitation_id = UUID(subject.removeprefix(ABOUT_PREFIX))
    async with db.transaction() as session:
        await session.execute(
            update(Invitation).where(Invitation.id == invitation_id).values(mail_status=SENT if delivered else FAILED)
        )
