"""What the discussion announces to the domains above it, which subscribe (see `dossier/__init__.py`).

Receivers run inside the sender's transaction: they get its database session and write with it, so a
reaction lands exactly when the change does."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

comment_withdrawn = _signals.signal("comment-withdrawn")
"""A comment was hidden or deleted: no stored copy may keep it. Sent with `session` and `cycle_id`."""
