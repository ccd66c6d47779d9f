"""What a person sent after their session had ended, kept until they have signed in again.

A comment typed for twenty minutes, then sent after signing out in another tab (or after the session
expired), must not be lost: the form's fields are kept in a fresh session, the person is sent to sign
in, and then shown what they wrote with a button that sends it again (`accounts/kept_routes.py`).
Only text is kept, never passwords nor files; the CSRF check has passed before anything is kept, so
only a form of this site can leave something here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from litestar import Request

from workspace.core.tokens import utcnow

KEPT_KEY = "kept_submission"
KEPT_FOR = timedelta(hours=2)
"""A kept submission older than this is dropped rather than offered."""
MAX_KEPT_CHARACTERS = 100_000
"""More than any form of the site takes: a bigger body is not kept in a session."""
_NEVER_KEPT = ("_csrf_token", "password", "password_confirm")


@dataclass(frozen=True)
class KeptSubmission:
    action: str
    """The path the form was sent to."""
    fields: list[tuple[str, str]]
    """The form's fields in their order (a name may repeat, as checkboxes do)."""
    return_to: str
    """The page the form was on."""
    kept_at: datetime
    for_user: str | None
    """The account the ended session belonged to, when it was still known."""

    def values(self, name: str) -> list[str]:
        return [value for field_name, value in self.fields if field_name == name]

    def to_session(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "fields": [list(field) for field in self.fields],
            "return_to": self.return_to,
            "kept_at": self.kept_at.isoformat(),
            "for_user": self.for_user,
        }

    @classmethod
    def from_session(cls, data: Any) -> KeptSubmission | None:
        try:
            return cls(
                action=str(data["action"]),
                fields=[(str(name), str(value)) for name, value in data["fields"]],
                return_to=str(data["return_to"]),
                kept_at=datetime.fromisoformat(data["kept_at"]),
                for_user=str(data["for_user"]) if data.get("for_user") else None,
            )
        except (KeyError, TypeError, ValueError):
            return None


async def read_submission(request: Request, *, return_to: str, for_user: str | None) -> KeptSubmission | None:
    """The request's form as a submission to keep, or None when it holds no text worth keeping."""
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        return None
    data = await request.form()
    fields: list[tuple[str, str]] = []
    size = 0
    for name, value in data.multi_items():
        if not isinstance(value, str) or name in _NEVER_KEPT or "password" in name:
            continue
        value = value.replace("\x00", "")
        size += len(name) + len(value)
        fields.append((name, value))
    if size > MAX_KEPT_CHARACTERS or not any(value.strip() for _name, value in fields):
        return None
    return KeptSubmission(
        action=request.url.path, fields=fields, return_to=return_to, kept_at=utcnow(), for_user=for_user
    )


def kept(session: Any) -> KeptSubmission | None:
    """The submission kept in `session` (a session's data), unless it is too old."""
    if not isinstance(session, dict):
        return None
    submission = KeptSubmission.from_session(session.get(KEPT_KEY))
    if submission is None or submission.kept_at < utcnow() - KEPT_FOR:
        return None
    return submission


def forget_if_sent(request: Request) -> None:
    """Once the kept form has been sent again and accepted, it is no longer offered."""
    session = request.scope.get("session")
    if not isinstance(session, dict) or KEPT_KEY not in session:
        return
    submission = kept(session)
    if submission is None or submission.action == request.url.path:
        request.set_session({key: value for key, value in session.items() if key != KEPT_KEY})
