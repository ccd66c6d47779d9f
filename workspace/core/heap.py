"""Keeping the garbage collector's pauses short under load."""

from __future__ import annotations

import gc

_settled = False


def settle() -> None:
    """Once per process, when the app has started: what exists then (modules, mappers, routes, compiled
    templates) lives as long as the process, so the collector stops walking it (`gc.freeze`).

    Under the ballot benchmark, full collections otherwise walked the whole start-up heap: up to
    0.16 s each, which is what a voter in the room waits when one lands on their request."""
    global _settled
    if _settled:
        return
    _settled = True
    gc.collect()
    gc.freeze()
