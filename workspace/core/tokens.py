"""Single-use tokens for links (invitations, password resets): only their hash is stored."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime


def new_token() -> tuple[str, str]:
    """Return (token for the link, hash to store)."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def utcnow() -> datetime:
    return datetime.now(UTC)
