"""The audit log as its readers see it: each act in their language, its details by name, and a link to
what it touched (a comment in place, a recommendation, a member in the moderation queue, a published
version of the dossier...).

Entries store codes (`comment.hide`, `reason`); this module words them when the page is read, so an
entry written in one language reads in any other."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from workspace.accounts.models import User
from workspace.core import i18n, labels
from workspace.core.i18n import lazy_gettext
from workspace.core.models import AuditEntry
from workspace.cycles.models import Cycle, Meeting, Phase
from workspace.discussion.models import Comment, Report
from workspace.recommendations.models import Amendment, Recommendation

ACTIONS = {
    "amendment.accept": lazy_gettext("Amendment accepted"),
    "amendment.decline": lazy_gettext("Amendment declined"),
    "amendment.propose": lazy_gettext("Amendment proposed"),
    "answer.save": lazy_gettext("Authority answer saved"),
    "comment.hide": lazy_gettext("Comment hidden"),
    "comment.restore": lazy_gettext("Comment shown again"),
    "cycle.create": lazy_gettext("Cycle created"),
    "cycle.phase": lazy_gettext("Phase changed"),
    "discussion.lock": lazy_gettext("Discussion locked"),
    "discussion.unlock": lazy_gettext("Discussion reopened"),
    "dossier.introductions": lazy_gettext("Dossier introductions edited"),
    "dossier.publish": lazy_gettext("Dossier published"),
    "dossier.reason_review": lazy_gettext("Minority views reviewed"),
    "glossary.create": lazy_gettext("Glossary term added"),
    "axis.create": lazy_gettext("Work axis added"),
    "axis.rename": lazy_gettext("Work axis renamed"),
    "cycle.phase_end": lazy_gettext("Planned end of the phase changed"),
    "group.archive": lazy_gettext("Working group archived"),
    "group.create": lazy_gettext("Working group created"),
    "group.rename": lazy_gettext("Working group renamed"),
    "group.restore": lazy_gettext("Working group restored"),
    "glossary.delete": lazy_gettext("Glossary term deleted"),
    "glossary.update": lazy_gettext("Glossary term edited"),
    "invitation.accept": lazy_gettext("Invitation accepted"),
    "invitation.create": lazy_gettext("Invitation sent"),
    "meeting.record": lazy_gettext("Meeting recorded"),
    "member.move": lazy_gettext("Member moved to another working group"),
    "member.reinstate": lazy_gettext("Member reinstated"),
    "member.suspend": lazy_gettext("Member suspended"),
    "recommendation.carry": lazy_gettext("Recommendation carried over"),
    "recommendation.coauthor_add": lazy_gettext("Co-author added"),
    "recommendation.coauthor_remove": lazy_gettext("Co-author removed"),
    "recommendation.correct": lazy_gettext("Text corrected by a facilitator"),
    "recommendation.import": lazy_gettext("Document imported as drafts"),
    "recommendation.merge": lazy_gettext("Recommendations merged"),
    "recommendation.reopen": lazy_gettext("Recommendation back to draft"),
    "recommendation.submit": lazy_gettext("Recommendation submitted"),
    "recommendation.withdraw": lazy_gettext("Recommendation withdrawn"),
    "report.dismiss": lazy_gettext("Report dismissed"),
    "report.open": lazy_gettext("Report made"),
    "translation.save": lazy_gettext("Translation saved"),
    "vote.rules": lazy_gettext("Voting rules changed"),
    "vote.settle": lazy_gettext("Vote result settled"),
}

DETAILS = {
    "adopted": lazy_gettext("Adopted"),
    "cast": lazy_gettext("Ballots cast"),
    "changes": lazy_gettext("Changes"),
    "code": lazy_gettext("Code"),
    "coauthor": lazy_gettext("Co-author"),
    "drafts": lazy_gettext("Drafts made"),
    "ends_on": lazy_gettext("Planned end"),
    "failed": lazy_gettext("Rules not met"),
    "file": lazy_gettext("File"),
    "group": lazy_gettext("Working group"),
    "implementation": lazy_gettext("Implementation"),
    "institution": lazy_gettext("Institution"),
    "into": lazy_gettext("Merged into"),
    "language": lazy_gettext("Language"),
    "note": lazy_gettext("Note"),
    "phase": lazy_gettext("Phase"),
    "position": lazy_gettext("Position"),
    "previous": lazy_gettext("Previous phase"),
    "previous_group": lazy_gettext("Previous working group"),
    "previous_name": lazy_gettext("Previous name"),
    "reason": lazy_gettext("Reason"),
    "restored": lazy_gettext("Revision restored"),
    "revision": lazy_gettext("Revision"),
    "source": lazy_gettext("Carried from"),
    "term_fr": lazy_gettext("Term (French)"),
    "term_nl": lazy_gettext("Term (Dutch)"),
    "title": lazy_gettext("Title"),
    "version": lazy_gettext("Version"),
}

YES, NO = lazy_gettext("yes"), lazy_gettext("no")


def action_label(action: str) -> str:
    """The act in the reader's language; an act this module does not know yet shows its code."""
    label = ACTIONS.get(action)
    return str(label) if label is not None else action


def action_choices(actions: Iterable[str]) -> list[tuple[str, str]]:
    """The filter's choices: each kind of act recorded in the cycle, labelled, in the order of the labels."""
    return sorted(((action, action_label(action)) for action in actions), key=lambda choice: choice[1].casefold())


@dataclass(frozen=True)
class Link:
    """Where an act points: a route's name and parameters (for `url_for`), an anchor and what to call it."""

    route: str
    params: dict[str, Any]
    label: str
    anchor: str = ""


@dataclass
class Detail:
    name: str
    value: str
    link: Link | None = None


@dataclass
class Line:
    entry: AuditEntry
    actor: User | None
    label: str
    target: Link | None
    details: list[Detail] = field(default_factory=list)


class _Names:
    """What the entries on a page point to, read in one query per kind."""

    def __init__(self) -> None:
        self.recommendations: dict[str, Recommendation] = {}
        self.comments: dict[str, str] = {}
        self.users: dict[str, str] = {}
        self.amendments: dict[str, str] = {}
        self.meetings: dict[str, str] = {}
        self.reports: dict[str, tuple[str | None, str | None]] = {}

    async def load(self, session: AsyncSession, entries: list[AuditEntry]) -> None:
        wanted: dict[str, set[UUID]] = {}
        for entry in entries:
            if entry.target_kind and entry.target_id:
                _add(wanted, entry.target_kind, entry.target_id)
            for key in ("into", "source"):
                _add(wanted, "recommendation", entry.details.get(key))
            _add(wanted, "user", entry.details.get("coauthor"))
        if ids := wanted.get("report"):
            reports = select(Report.id, Report.comment_id, Report.recommendation_id).where(Report.id.in_(ids))
            for report_id, comment_id, recommendation_id in (await session.execute(reports)).all():
                self.reports[str(report_id)] = (_str(comment_id), _str(recommendation_id))
                _add(wanted, "comment", comment_id)
                _add(wanted, "recommendation", recommendation_id)
        if ids := wanted.get("comment"):
            places = select(Comment.id, Comment.recommendation_id).where(Comment.id.in_(ids))
            for comment_id, recommendation_id in (await session.execute(places)).all():
                self.comments[str(comment_id)] = str(recommendation_id)
                _add(wanted, "recommendation", recommendation_id)
        if ids := wanted.get("amendment"):
            amended = select(Amendment.id, Amendment.recommendation_id).where(Amendment.id.in_(ids))
            for amendment_id, recommendation_id in (await session.execute(amended)).all():
                self.amendments[str(amendment_id)] = str(recommendation_id)
                _add(wanted, "recommendation", recommendation_id)
        if ids := wanted.get("recommendation"):
            found = await session.scalars(select(Recommendation).where(Recommendation.id.in_(ids)))
            self.recommendations = {str(item.id): item for item in found}
        if ids := wanted.get("user"):
            people = select(User.id, User.display_name).where(User.id.in_(ids))
            self.users = {str(user_id): name for user_id, name in (await session.execute(people)).all()}
        if ids := wanted.get("meeting"):
            held = select(Meeting.id, Meeting.held_on).where(Meeting.id.in_(ids))
            self.meetings = {
                str(meeting_id): i18n.gettext("The meeting of %(date)s", date=i18n.format_date(held_on))
                for meeting_id, held_on in (await session.execute(held)).all()
            }

    def recommendation(self, raw: str | None) -> Link | None:
        item = self.recommendations.get(raw or "")
        if item is None:
            return None
        label = f"{item.reference} {item.title}" if item.reference else item.title
        return Link("recommendation", {"recommendation_id": item.id}, label)

    def comment(self, raw: str | None) -> Link | None:
        place = self.recommendation(self.comments.get(raw or ""))
        if place is None:
            return None
        label = i18n.gettext("A comment on “%(title)s”", title=place.label)
        return Link("recommendation", place.params, label, anchor=f"comment-{raw}")


def _str(value: UUID | None) -> str | None:
    return str(value) if value is not None else None


def _add(wanted: dict[str, set[UUID]], kind: str, raw: Any) -> None:
    if not raw:
        return
    try:
        wanted.setdefault(kind, set()).add(raw if isinstance(raw, UUID) else UUID(str(raw)))
    except ValueError:
        return


def _target(entry: AuditEntry, cycle: Cycle, names: _Names) -> Link | None:
    kind, raw = entry.target_kind, entry.target_id or ""
    slug = {"slug": cycle.slug}
    if kind == "comment":
        return names.comment(raw)
    if kind == "recommendation":
        return names.recommendation(raw)
    if kind == "report":
        comment_id, recommendation_id = names.reports.get(raw, (None, None))
        return names.comment(comment_id) if comment_id else names.recommendation(recommendation_id)
    if kind == "user":
        name = names.users.get(raw)
        return Link("moderation", slug, name, anchor=f"member-{raw}") if name else None
    if kind == "amendment" and raw in names.amendments:
        params = {"recommendation_id": UUID(names.amendments[raw]), "amendment_id": UUID(raw)}
        return Link("amendment", params, i18n.gettext("The amendment"))
    if kind == "meeting" and raw in names.meetings:
        return Link("meeting", {"meeting_id": UUID(raw)}, names.meetings[raw])
    if kind == "invitation":
        return Link("invitations", slug, i18n.gettext("Invitations"))
    if kind == "group" and raw:
        return Link("group", {"group_id": UUID(raw)}, str(entry.details.get("title") or DETAILS["group"]))
    if kind == "axis" and entry.details.get("code"):
        code = str(entry.details["code"]).lower()
        return Link("axis", {**slug, "code": code}, str(entry.details.get("title") or code.upper()))
    if kind == "glossary_term":
        return Link("glossary", {}, str(entry.details.get("term_fr") or i18n.gettext("Glossary")))
    if kind == "cycle":
        version = entry.details.get("version")
        if entry.action == "dossier.publish" and isinstance(version, int):
            return Link(
                "dossier_version", {**slug, "number": version}, i18n.gettext("Version %(number)s", number=version)
            )
        return Link(
            "cycle", slug, cycle.title_nl if i18n.current_language.get() == "nl" and cycle.title_nl else cycle.title_fr
        )
    return None


def _value(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return str(YES if value else NO)
    if key in ("phase", "previous") and isinstance(value, str):
        return labels.label(value, Phase)
    if key == "language" and isinstance(value, str):
        return i18n.language_name(value)
    if key == "ends_on" and isinstance(value, str):
        return i18n.format_date(date.fromisoformat(value))
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(str(DETAILS.get(name, name)) for name in value)
    return str(value)


def _details(entry: AuditEntry, names: _Names) -> list[Detail]:
    details = []
    for key, value in entry.details.items():
        if value in (None, "", [], {}):
            continue
        link = None
        if key in ("into", "source"):
            link = names.recommendation(str(value))
        elif key == "coauthor" and str(value) in names.users:
            details.append(Detail(str(DETAILS[key]), names.users[str(value)]))
            continue
        details.append(Detail(str(DETAILS.get(key, key)), link.label if link else _value(key, value), link))
    return details


async def lines(session: AsyncSession, cycle: Cycle, rows: list[tuple[AuditEntry, User | None]]) -> list[Line]:
    """The entries worded in the current language, each with the link to what it touched."""
    names = _Names()
    await names.load(session, [entry for entry, _actor in rows])
    return [
        Line(entry, actor, action_label(entry.action), _target(entry, cycle, names), _details(entry, names))
        for entry, actor in rows
    ]
