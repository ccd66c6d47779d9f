"""What recommendations announce to the domains above them, which subscribe (voting and discussion, in
their packages' `__init__.py`)."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

page_opened = _signals.signal("recommendation-page-opened")
"""The recommendation page is drawn. Sent with the recommendation as sender and `session`, `access`
and `kept` (a dict: what a refused form sent, such as `comment_form`); each receiver returns the values
its part of the page needs (the vote panel, the discussion)."""

list_shown = _signals.signal("recommendation-list-shown")
"""A list of recommendations is drawn (an axis, the search, the ballot paper). Sent with `session`,
`ids` (the recommendations listed), `cycle_of` (each one's cycle id) and `accesses` (the reader's
access to each of those cycles); each receiver returns, per recommendation id, the facts its domain
adds to a row (`comments`; `support` and `consensus` where the vote's results are visible), read in a
fixed number of queries whatever the number of ids."""

results_visible = _signals.signal("vote-results-visible")
"""Asks whether the vote's results are visible to a reader: sent with a `CycleAccess` as sender; the
voting domain answers with its own rule, so a list offers ordering by support only where it may."""

text_corrected = _signals.signal("recommendation-text-corrected")
"""A facilitator corrected a text frozen by the vote: sent with the recommendation as sender and
`session`, `actor` and `reason`; the discussion domain tells its authors."""

searched = _signals.signal("recommendation-searched")
"""The search looks beyond a recommendation's own text. Sent with `dialect` and `words` (the query's words,
never empty); each receiver returns a `search.Beyond`: `ids`, a select of the recommendations one of whose
texts in its domain holds every word (a comment), and `passages`, an async function of (session, ids) giving
for each of those ids the first such text, to show and link to in the results."""
