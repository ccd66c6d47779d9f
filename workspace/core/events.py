"""Live events: what changed, announced to the pages that show it (server-sent events).

One process uses an in-memory broker; several processes share Redis (REDIS_URL), so a ballot cast
through one process updates a screen served by another. Events carry only what changed (a channel
and an id); each page re-reads what it shows, with the reader's own rights. Redis going away pauses
them; when it is back every open page re-reads once (`core.redis_events`).
"""

from __future__ import annotations

import logging
from uuid import UUID

from litestar import Request
from litestar.background_tasks import BackgroundTask
from litestar.channels import ChannelsPlugin
from litestar.channels.backends.base import ChannelsBackend
from litestar.channels.backends.memory import MemoryChannelsBackend

from workspace.core.redis import RedisLink
from workspace.core.redis_events import ReconnectingRedisBackend

logger = logging.getLogger("passerelle.events")

SUBSCRIBER_BACKLOG = 100
"""A slow screen drops the oldest events: each event only says "look again", so nothing is lost."""


def channels_plugin(redis: RedisLink | None) -> ChannelsPlugin:
    backend: ChannelsBackend = ReconnectingRedisBackend(redis) if redis is not None else MemoryChannelsBackend()
    return ChannelsPlugin(
        backend=backend,
        arbitrary_channels_allowed=True,
        subscriber_max_backlog=SUBSCRIBER_BACKLOG,
        subscriber_backlog_strategy="dropleft",
    )


def votes_channel(cycle_id: UUID) -> str:
    """Ballots (the recommendation's id), the colloquium screen ("screen") and phase changes ("phase")."""
    return f"cycle:{cycle_id}:votes"


def discussion_channel(recommendation_id: UUID) -> str:
    """A recommendation's discussion changed ("comments")."""
    return f"recommendation:{recommendation_id}:discussion"


async def _publish(plugin: ChannelsPlugin, channel: str, message: str) -> None:
    """Best effort: the change is committed already; a screen that misses it catches up on its next event.

    Async although it awaits nothing: Litestar runs a sync background task on a worker thread."""
    try:
        plugin.publish(message, channels=[channel])
    except RuntimeError:
        logger.warning("Live event on %s not sent: the event broker is not running", channel)


def after_response(request: Request, channel: str, message: str) -> BackgroundTask:
    """Announce once the response is sent: the request's transaction is committed by then, so
    whoever reacts reads the new state."""
    plugin = request.app.plugins.get(ChannelsPlugin)
    return BackgroundTask(_publish, plugin, channel, message)
