"""Forms that make something are sent once: a retry makes nothing twice.

Each such form carries a one-time token (`once_input` in templates). The first request that sends it
claims the token in the same transaction as what it makes; a second request with the same token (a
browser retrying after a lost answer, a double click, Back and send again) finds the claim and is sent
to what the first one made. A request that is refused (a 400 re-render) rolls its claim back with the
rest, so the corrected form can be sent with the same token.
"""

from __future__ import annotations

import secrets
from uuid import UUID

from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from workspace.core.dialects import insert_or_skip
from workspace.core.forms import Form
from workspace.core.models import FormSubmission
from workspace.core.tokens import hash_token, utcnow

FIELD = "_once"
MAX_TOKEN = 64


def new_token() -> str:
    return secrets.token_urlsafe(18)


def once_input(form: Form | None = None) -> Markup:
    """The hidden field for a form's one-time token; a form shown again with its errors keeps its token."""
    token = form.get(FIELD) if form is not None else ""
    return Markup('<input type="hidden" name="{}" value="{}">').format(FIELD, escape(token or new_token()))


class AlreadySent(Exception):
    """The form was sent before: `location` shows what it made."""

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


async def claim(session: AsyncSession, form: Form, user_id: UUID | None, *, fallback: str) -> str | None:
    """Claim the form's token for this request; raises AlreadySent if an earlier request did.

    Returns the token's hash to `settle` once the result is known, or None for a form without a token
    (an older page, a script): it is then handled as before, without protection against a retry."""
    token = form.get(FIELD).strip()
    if not token or len(token) > MAX_TOKEN:
        return None
    token_hash = hash_token(token)
    insert = insert_or_skip(session, FormSubmission)
    claimed = await session.scalar(
        insert.values(token_hash=token_hash, user_id=user_id, location="", created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["token_hash"])
        .returning(FormSubmission.token_hash)
    )
    if claimed is None:
        earlier = await session.scalar(select(FormSubmission).where(FormSubmission.token_hash == token_hash))
        if earlier is not None and earlier.user_id == user_id and earlier.location:
            raise AlreadySent(earlier.location)
        raise AlreadySent(fallback)
    return token_hash


async def settle(session: AsyncSession, token_hash: str | None, location: str) -> None:
    """Remember where the result of a claimed form is."""
    if token_hash is None:
        return
    submission = await session.get(FormSubmission, token_hash)
    if submission is not None:
        submission.location = location[:500]
