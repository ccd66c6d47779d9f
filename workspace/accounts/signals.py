"""What accounts announce to the domains above them, which subscribe (see `discussion/__init__.py`)."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

page_opened = _signals.signal("page-opened")
"""A signed-in person opens a whole page (not an htmx fragment, a stream or the API). Sent with the
account as sender and `db` (the app's Database); each receiver returns a dict of values the page
header shows (kept in the request's state, read by the template helpers)."""
