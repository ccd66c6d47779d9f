"""The background tasks the app knows, and how each is tried again.

A domain declares its task here (`@task("export")` in `dossier/jobs.py`, `@task("mail")` in `core/mail.py`,
`@periodic("retention")` in `core/retention.py`); whichever queue runs jobs (`jobs.embedded` on SQLite,
`jobs.postgres` on PostgreSQL) runs them the same way: `execute` counts and logs the outcome, a failure is
tried again after `first_wait`, doubling up to `longest_wait`, until `attempts` tries; then `on_give_up`
is told (a mail that never left says so). A job interrupted by a stopped or killed process is taken up
again by another the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger("passerelle.jobs")


@dataclass(frozen=True)
class JobContext:
    """What a task may use: the app's database, settings and metrics."""

    db: Any
    settings: Any
    metrics: Any


TaskFunction = Callable[..., Awaitable[None]]
GiveUpFunction = Callable[..., Awaitable[None]]


@dataclass(frozen=True)
class Task:
    name: str
    run: TaskFunction
    attempts: int
    first_wait: float
    longest_wait: float
    queue: str
    on_give_up: GiveUpFunction | None = None

    def wait_before(self, attempt: int) -> float:
        """Seconds to wait before try `attempt + 1`, after try `attempt` (0 for the first) failed."""
        return min(self.first_wait * 2**attempt, self.longest_wait)


@dataclass(frozen=True)
class Periodic:
    name: str
    run: Callable[[JobContext], Awaitable[None]]
    every: float
    """Seconds between two runs (one process runs each)."""


TASKS: dict[str, Task] = {}
PERIODIC: dict[str, Periodic] = {}
SHUTDOWN_GRACE = 5.0
"""Seconds a stopping process lets its running jobs finish; the others are taken up again elsewhere."""
QUEUES = ("exports", "mail", "upkeep")
"""Exports take seconds and much memory, one at a time per process; mail and upkeep are quick."""


def task(
    name: str,
    *,
    queue: str,
    attempts: int = 3,
    first_wait: float = 10.0,
    longest_wait: float = 3600.0,
    on_give_up: GiveUpFunction | None = None,
) -> Callable[[TaskFunction], TaskFunction]:
    assert queue in QUEUES, queue

    def register(function: TaskFunction) -> TaskFunction:
        TASKS[name] = Task(name, function, attempts, first_wait, longest_wait, queue, on_give_up)
        return function

    return register


def periodic(name: str, *, every: float) -> Callable[[Callable[[JobContext], Awaitable[None]]], Any]:
    def register(function: Callable[[JobContext], Awaitable[None]]) -> Callable[[JobContext], Awaitable[None]]:
        PERIODIC[name] = Periodic(name, function, every)
        return function

    return register


async def execute(context: JobContext, name: str, args: dict[str, Any], attempt: int) -> None:
    """Run one try of a job (`attempt` counts from 0); raises when it failed, for the queue to try again."""
    found = TASKS[name]
    try:
        await found.run(context, **args)
    except Exception as error:
        last = attempt + 1 >= found.attempts
        context.metrics.jobs.labels(name, "gave_up" if last else "failed").inc()
        if last:
            logger.error("Job %s gave up after %d tries: %s", name, attempt + 1, error, exc_info=error)
            if found.on_give_up is not None:
                await found.on_give_up(context, error, **args)
        else:
            logger.warning(
                "Job %s failed (try %d of %d), tried again in %.0f s: %s",
                name, attempt + 1, found.attempts, found.wait_before(attempt), error,
            )  # fmt: skip
        raise
    context.metrics.jobs.labels(name, "done").inc()
    logger.info("Job %s done%s", name, f" (try {attempt + 1})" if attempt else "")


async def run_periodic(context: JobContext, name: str) -> None:
    try:
        await PERIODIC[name].run(context)
    except Exception as error:
        context.metrics.jobs.labels(name, "failed").inc()
        logger.exception("Periodic job %s failed: %s", name, error)
        return
    context.metrics.jobs.labels(name, "done").inc()
