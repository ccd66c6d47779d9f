"""One cycle seen by every role of the authorization matrix, and the values for each path parameter."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from tests.factories import add_member, make_cycle, make_recommendation, make_user
from workspace.accounts.middleware import SESSION_EPOCH_KEY, SESSION_USER_KEY
from workspace.accounts.models import MembershipRole, OidcIdentity, StoredSession, User
from workspace.core.db import Database
from workspace.core.tokens import new_token
from workspace.cycles.models import Cycle, Invitation, Meeting, MeetingKind, Phase
from workspace.discussion.models import Comment, Notification, Report
from workspace.recommendations.models import (
    Amendment,
    AmendmentStatus,
    CoAuthor,
    GlossaryTerm,
    Recommendation,
    Revision,
    SourceDocument,
    SourceFormat,
)

ROLES = ("anonymous", "other_group", "member", "coauthor", "facilitator", "authority", "admin")


CASE_NAMES = (
    "forwarded invitation",
    "invitation addressed to the member",
    "open link",
    "open link above member",
)


@dataclass(frozen=True)
class World:
    people: dict[str, User]
    params: dict[str, str]
    cases: dict[str, dict[str, str]]
    """Path parameters that differ in a case of the matrix's CASES rows."""


async def build_world(db: Database) -> World:
    """A cycle in the drafting phase with two working groups; a recommendation of group A written by an
    author with a co-author; an open amendment by a member; a glossary term."""
    cycle = await make_cycle(db, phase=Phase.DRAFTING, groups=2)
    group_a, group_b = cycle.groups
    people = {role: await make_user(db) for role in ROLES[1:]}
    author = await make_user(db)
    admin = people["admin"]
    async with db.transaction() as session:
        (await session.get(User, admin.id)).is_admin = True
    other_seat = await add_member(db, people["other_group"], cycle, group=group_b)
    for role in ("member", "coauthor"):
        await add_member(db, people[role], cycle, group=group_a)
    await add_member(db, author, cycle, group=group_a)
    await add_member(db, people["facilitator"], cycle, role=MembershipRole.FACILITATOR, group=group_a)
    await add_member(db, people["authority"], cycle, role=MembershipRole.AUTHORITY, group=None)
    recommendation = await make_recommendation(db, cycle, author=author, group_id=group_a.id)
    async with db.transaction() as session:
        session.add(CoAuthor(recommendation_id=recommendation.id, user_id=people["coauthor"].id))
        amendment = Amendment(
            recommendation_id=recommendation.id,
            author_id=people["member"].id,
            base_revision=1,
            content={"title": recommendation.title, "proposal": "Autre proposition."},
            reason="Plus précis.",
            status=AmendmentStatus.OPEN,
        )
        term = GlossaryTerm(term_fr="CPAS", term_nl="OCMW")
        content = {"title": recommendation.title, "proposal": "Ouvrir un guichet commun à Tournai."}
        second = Revision(recommendation_id=recommendation.id, number=2, author_id=author.id, content=content)
        session.add_all([amendment, term, second])
        (await session.get(Recommendation, recommendation.id)).revision_number = 2
        comment = Comment(recommendation_id=recommendation.id, author_id=people["member"].id, body="Un avis.")
        session.add(comment)
        await session.flush()
        report = Report(comment_id=comment.id, reporter_id=people["coauthor"].id, reason="Hors sujet.")
        meeting = Meeting(group_id=group_a.id, kind=MeetingKind.MEETING, held_on=date(2026, 3, 14), minutes="Notes.")
        notification = Notification(user_id=people["member"].id, kind="comment", params={}, link="/inbox")
        linked = OidcIdentity(provider="lille", subject=f"member-{people['member'].id}", user_id=people["member"].id)
        document = SourceDocument(
            cycle_id=cycle.id,
            file_name="dossier-2012.md",
            format=SourceFormat.MARKDOWN,
            uploaded_by_id=people["facilitator"].id,
            proposal={"version": 1, "language": "fr", "drafts": []},
        )
        session.add_all([report, meeting, notification, linked, document])
    params = {
        "slug": cycle.slug,
        "code": "p",
        "group_id": str(group_a.id),
        "recommendation_id": str(recommendation.id),
        "amendment_id": str(amendment.id),
        "term_id": str(term.id),
        "user_id": str(people["coauthor"].id),
        "number": "1",
        "language": "nl",
        "token": "not-a-real-token",
        "key": "nowhere",
        "unknown": "no-such-page",
        "file_path": "app.css",
        "path": "swagger",
        "comment_id": str(comment.id),
        "report_id": str(report.id),
        "meeting_id": str(meeting.id),
        "notification_id": str(notification.id),
        "identity_id": str(linked.id),
        "member_id": str(people["member"].id),
        "membership_id": str(other_seat.id),
        "export_id": "01900000-0000-7000-8000-000000000000",
        "document_id": str(document.id),
    }
    cases = {
        "forwarded invitation": {
            "token": await _invitation(db, cycle, "someone.else@example.org", MembershipRole.FACILITATOR)
        },
        "invitation addressed to the member": {
            "token": await _invitation(db, cycle, people["member"].email, MembershipRole.FACILITATOR)
        },
        "open link": {"token": await _invitation(db, cycle, None, MembershipRole.MEMBER)},
        "open link above member": {"token": await _invitation(db, cycle, None, MembershipRole.FACILITATOR)},
    }
    assert set(cases) == set(CASE_NAMES)
    return World(people=people, params=params, cases=cases)


async def _invitation(db: Database, cycle: Cycle, email: str | None, role: MembershipRole) -> str:
    token, token_hash = new_token()
    async with db.transaction() as session:
        session.add(
            Invitation(
                token_hash=token_hash,
                email=email,
                role=role,
                cycle_id=cycle.id,
                expires_at=datetime.now(UTC) + timedelta(days=3),
            )
        )
    return token


async def session_cookie(db: Database, user: User) -> str:
    """A signed-in session for `user`, as the app stores one (its current session epoch included)."""
    async with db.transaction() as session:
        epoch = (await session.get(User, user.id)).session_epoch
        key = secrets.token_hex(32)
        value = json.dumps({SESSION_USER_KEY: str(user.id), SESSION_EPOCH_KEY: epoch}).encode()
        session.add(StoredSession(key=key, value=value, expires_at=datetime.now(UTC) + timedelta(hours=1)))
    return key


def fill(path: str, params: dict[str, str]) -> str:
    """`/cycles/{slug:str}` → `/cycles/2013-...`."""
    for name, value in params.items():
        for kind in ("str", "uuid", "int", "path"):
            path = path.replace(f"{{{name}:{kind}}}", value)
    assert "{" not in path, f"no value for a parameter of {path}: add it to build_world's params"
    return path


__all__ = ["CASE_NAMES", "ROLES", "UUID", "World", "build_world", "fill", "session_cookie"]
