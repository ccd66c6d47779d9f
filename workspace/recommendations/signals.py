"""What recommendations announce to the domains above them, which subscribe (voting and discussion, in
their packages' `__init__.py`)."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

page_opened = _signals.signal("recommendation-page-opened")
"""The recommendation page is drawn. Sent with the recommendation as sender and `session`, `access`
and `kept` (a dict: what a refused form sent, such as `comment_form`); each receiver returns the values
its part of the page needs (the vote panel, the discussion)."""
