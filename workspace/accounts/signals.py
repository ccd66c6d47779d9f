"""What accounts announce to the domains above them, which subscribe (see `discussion/__init__.py`)."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

page_opened = _signals.signal("page-opened")
"""A signed-in person opens a whole page (not an htmx fragment, a stream or the API). Sent with the
account as sender and `db` (the app's Database); each receiver returns a dict of values the page
header shows (kept in the request's state, read by the template helpers)."""

identity_without_account = _signals.signal("identity-without-account")
"""Someone signs in through an identity provider trusted with addresses, with a verified address no
account has. Sent with the address as sender and `session`, `name` (what the provider calls them) and
`provider`; a receiver may create the account (an invitation to that address allows it) and return it,
or return None."""

profile_opened = _signals.signal("profile-opened")
"""A person's profile page is shown. Sent with the account as sender and `session`; each receiver
returns a dict of values for the page (the cycles and groups they belong to, for one)."""
