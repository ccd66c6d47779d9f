"""The proposed split of an imported document, under the facilitator's review, then the drafts made from it.

The proposal waits on its `SourceDocument` row (JSON: a version number and the drafts), so that it survives
a reload, another window, a restart; each change of the review form says which version it started from,
and a change made from an older page is refused rather than applied to drafts that moved. Making the
drafts happens in one transaction, once: the row is locked and marked imported with them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from workspace.accounts.models import User
from workspace.core import audit
from workspace.core.forms import MAX_TEXT, Form, FormError
from workspace.core.i18n import gettext as _
from workspace.core.tokens import utcnow
from workspace.core.web import found
from workspace.cycles.access import CycleAccess, require
from workspace.recommendations.content import MAX_TITLE
from workspace.recommendations.editing import apply_content, new_revision
from workspace.recommendations.importing.readers import UnreadableDocument, read_blocks
from workspace.recommendations.importing.splitter import DEFAULT_FIELD, AxisNames, Draft, Part, split, title_of
from workspace.recommendations.models import TEXT_FIELDS, ActionLevel, Recommendation, SourceDocument, Status
from workspace.recommendations.rules import can_import

MAX_DRAFTS = 300
MAX_FILE_NAME = 255
LANGUAGES = ("fr", "nl")


@dataclass
class Proposal:
    version: int
    language: str
    drafts: list[Draft]

    @classmethod
    def of(cls, document: SourceDocument) -> Proposal:
        data = document.proposal or {}
        return cls(
            version=int(data.get("version", 1)),
            language=str(data.get("language", "fr")),
            drafts=[Draft.from_dict(draft) for draft in data.get("drafts", [])],
        )

    def store(self, document: SourceDocument) -> None:
        document.proposal = {
            "version": self.version,
            "language": self.language,
            "drafts": [draft.as_dict() for draft in self.drafts],
        }


def _clean_file_name(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(character for character in base if character.isprintable()).strip()[:MAX_FILE_NAME] or "document"


async def propose(
    session: AsyncSession, access: CycleAccess, file_name: str, data: bytes, uploader: User
) -> SourceDocument:
    """Read the document and keep its proposed split for review; raises UnreadableDocument with the reason."""
    require(can_import(access))
    file_name = _clean_file_name(file_name)
    format, blocks = read_blocks(data, file_name)
    default_axis = access.cycle.axes[0].code if access.cycle.axes else ""
    drafts = split(blocks, AxisNames.of(access.cycle.axes), default_axis)
    if not drafts:
        raise UnreadableDocument(
            _(
                "No heading or numbered item was found in this document, so it cannot be split into "
                "recommendations. Give each recommendation a heading (or number them) and send it again."
            )
        )
    if len(drafts) > MAX_DRAFTS:
        raise UnreadableDocument(
            _(
                "This document would make %(count)s drafts; at most %(max)s are imported at once. "
                "Split the document and import each part.",
                count=len(drafts),
                max=MAX_DRAFTS,
            )
        )
    language = uploader.language.value if uploader.language.value in LANGUAGES else "fr"
    document = SourceDocument(cycle_id=access.cycle.id, file_name=file_name, format=format, uploaded_by_id=uploader.id)
    Proposal(version=1, language=language, drafts=drafts).store(document)
    session.add(document)
    await session.flush()
    return document


async def pending(
    session: AsyncSession, access: CycleAccess, document_id: UUID, *, lock: bool = False
) -> SourceDocument:
    """The cycle's document whose proposal awaits review (404 otherwise, or for whoever may not import)."""
    require(can_import(access))
    query = select(SourceDocument).where(SourceDocument.id == document_id, SourceDocument.cycle_id == access.cycle.id)
    document = found(await session.scalar(query.with_for_update() if lock else query))
    return document


class StaleProposal(Exception):
    """The review form was sent from a page older than the proposal (another window changed it)."""


def review(document: SourceDocument, form: Form, axis_codes: list[str]) -> str:
    """Apply one change of the review form (the axes, titles and language it carries, then its button);
    returns the anchor to show. Raises StaleProposal or FormError (the message by the draft)."""
    proposal = Proposal.of(document)
    if form.get("version") != str(proposal.version):
        raise StaleProposal()
    _read_choices(proposal, form, axis_codes)
    if not form.is_valid:
        raise FormError(form)
    action, _sep, raw_index = form.get("action").partition(":")
    index = int(raw_index) if raw_index.isdigit() else -1
    drafts = proposal.drafts
    anchor = "drafts"
    if action and not 0 <= index < len(drafts):
        form.add_error("form", _("This draft is no longer in the proposal."))
        raise FormError(form)
    if action == "drop":
        del drafts[index]
        anchor = f"draft-{max(index - 1, 0)}"
    elif action == "merge" and index > 0:
        previous, merged = drafts[index - 1], drafts.pop(index)
        if not merged.parts or title_of(merged.parts[0].text) != merged.title:
            previous.parts.append(Part(DEFAULT_FIELD, merged.title))  # its title is text of the merged draft
        previous.parts.extend(merged.parts)
        anchor = f"draft-{index - 1}"
    elif action == "up" and index > 0:
        drafts[index - 1], drafts[index] = drafts[index], drafts[index - 1]
        anchor = f"draft-{index - 1}"
    elif action == "down" and index < len(drafts) - 1:
        drafts[index + 1], drafts[index] = drafts[index], drafts[index + 1]
        anchor = f"draft-{index + 1}"
    elif action == "split":
        anchor = _split(drafts, index, form)
    proposal.version += 1
    proposal.store(document)
    return anchor


def _read_choices(proposal: Proposal, form: Form, axis_codes: list[str]) -> None:
    proposal.language = form.get("language") if form.get("language") in LANGUAGES else proposal.language
    for index, draft in enumerate(proposal.drafts):
        axis = form.get(f"axis-{index}")
        if axis in axis_codes:
            draft.axis = axis
        if f"title-{index}" in form.values:
            title = form.text(f"title-{index}", max_length=MAX_TITLE)
            if not title:
                form.add_error(f"title-{index}", _("This field is required."))
            draft.title = title or draft.title


def _split(drafts: list[Draft], index: int, form: Form) -> str:
    """Split a draft before its chosen paragraph: that paragraph and those after make a new draft."""
    draft = drafts[index]
    raw = form.get(f"split-{index}")
    at = int(raw) if raw.isdigit() else 0
    if not 1 <= at < len(draft.parts):
        form.add_error(f"split-{index}", _("Choose the paragraph the new draft starts with."))
        raise FormError(form)
    rest = draft.parts[at:]
    del draft.parts[at:]
    drafts.insert(
        index + 1,
        Draft(title=title_of(rest[0].text), axis=draft.axis, item=draft.item, heading=draft.heading, parts=rest),
    )
    return f"draft-{index + 1}"


async def create_drafts(
    session: AsyncSession, access: CycleAccess, document: SourceDocument, author: User, form: Form
) -> list[Recommendation]:
    """Every draft of the proposal as a recommendation in status draft, in this one transaction."""
    if document.imported_at is not None:
        raise AlreadyImported()
    proposal = Proposal.of(document)
    if form.get("version") != str(proposal.version):
        raise StaleProposal()
    axes = {axis.code: axis for axis in access.cycle.axes}
    _read_choices(proposal, form, list(axes))
    if not proposal.drafts:
        form.add_error("form", _("Every draft was dropped: there is nothing to create."))
    for index, draft in enumerate(proposal.drafts):
        if any(len(text) > MAX_TEXT for text in draft.content().values()):
            form.add_error(
                f"split-{index}",
                _("This draft's text is too long (at most %(max)s characters per field): split it.", max=MAX_TEXT),
            )
    if not form.is_valid:
        raise FormError(form)
    made: list[Recommendation] = []
    message = _("Imported from %(file)s", file=document.file_name)
    for draft in proposal.drafts:
        content = dict.fromkeys(TEXT_FIELDS, "") | draft.content()
        content |= {"title": draft.title, "action_level": ActionLevel.LOCAL.value, "tags": ""}
        recommendation = Recommendation(
            cycle_id=access.cycle.id,
            axis_id=axes.get(draft.axis, access.cycle.axes[0]).id,
            author_id=author.id,
            status=Status.DRAFT,
            language=proposal.language,
            revision_number=0,
            title=draft.title,
            tags=[],
            coauthors=[],
            source_document_id=document.id,
            source_item=draft.item,
            source_heading=draft.heading[:MAX_TITLE],
        )
        apply_content(recommendation, content)
        made.append(recommendation)
    session.add_all(made)
    await session.flush()
    for recommendation in made:
        content = {name: getattr(recommendation, name) or "" for name in TEXT_FIELDS}
        new_revision(session, recommendation, content | {"action_level": "local", "tags": ""}, author, message)
    document.imported_at = utcnow()
    proposal.store(document)
    audit.record(
        session,
        action="recommendation.import",
        actor_id=author.id,
        cycle_id=access.cycle.id,
        target_kind="source_document",
        target_id=document.id,
        file=document.file_name,
        drafts=len(made),
    )
    return made


class AlreadyImported(Exception):
    """The drafts of this document were made already."""


def summary(document: SourceDocument) -> dict[str, Any]:
    """What the review page shows of a proposal."""
    proposal = Proposal.of(document)
    return {"proposal": proposal, "count": len(proposal.drafts)}


__all__ = [
    "MAX_DRAFTS",
    "AlreadyImported",
    "Proposal",
    "StaleProposal",
    "UnreadableDocument",
    "create_drafts",
    "pending",
    "propose",
    "review",
]
