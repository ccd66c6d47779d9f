"""What every live stream (server-sent events) shares: waiting for events, coalescing bursts,
keep-alives, and ending as soon as its reader may no longer read.

A page's stream subscribes to channels (see `events`) and yields batches: the first at once, so the
page draws what it shows with nothing missed between drawing and subscribing; then one batch per
burst of events, gathered for `coalesce` seconds so that a room voting at once becomes one redraw;
and an empty batch after `keepalive` quiet seconds. Before every batch it asks `still_allowed`, so a
stream whose reader signed out (everywhere), was deactivated or changed their password ends at the
next event or keep-alive, whatever page is open.

When the event broker lost its connection to Redis and made it again, events may have been missed
meanwhile: the broker sends `RESYNC`, and the stream gets one batch of its `catch_up` kinds, so that the
page re-reads once what it shows. A stream ended by the server's shutdown ends quietly.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from litestar.channels import ChannelsPlugin

from workspace.core.redis_events import RESYNC

KEEPALIVE_SECONDS = 15.0


@dataclass(frozen=True)
class Batch:
    """What a stream has to send now: `kinds` of change seen since the last batch (none for a
    keep-alive); `initial` for the first batch, sent before any event."""

    kinds: frozenset[str] = field(default_factory=frozenset)
    initial: bool = False

    @property
    def is_keepalive(self) -> bool:
        return not self.initial and not self.kinds


async def batches(
    channels: ChannelsPlugin,
    names: Sequence[str],
    *,
    classify: Callable[[bytes], str | None],
    still_allowed: Callable[[], Awaitable[bool]],
    coalesce: float,
    catch_up: frozenset[str],
    keepalive: float = KEEPALIVE_SECONDS,
) -> AsyncIterator[Batch]:
    """Batches of changes on `names` until `still_allowed()` is False.

    `classify` turns an event's data into the kind of change it is, or None to ignore it; `catch_up` are
    the kinds to redraw when events may have been missed (the broker reconnected to Redis)."""
    pending: set[str] = set()
    changed = asyncio.Event()

    async def on_event(data: bytes) -> None:
        if data == RESYNC:
            pending.update(catch_up)
            changed.set()
            return
        kind = classify(data)
        if kind is not None:
            pending.add(kind)
            changed.set()

    async with channels.start_subscription(list(names)) as subscriber, subscriber.run_in_background(on_event):
        if not await still_allowed():
            return
        yield Batch(initial=True)
        while True:
            try:
                await asyncio.wait_for(changed.wait(), keepalive)
            except TimeoutError:
                if not await still_allowed():
                    return
                yield Batch()
                continue
            await asyncio.sleep(coalesce)
            changed.clear()
            kinds = frozenset(pending)
            pending.clear()
            if not await still_allowed():
                return
            yield Batch(kinds=kinds)
