"""Background jobs: work that outlives the request that asked for it (exports, mail, clean-up).

A job is stored before anyone waits for it, runs in whichever process runs jobs (every web process by
default, `RUN_JOBS`; or `passerelle worker`), is tried again with growing waits when it fails, and is
taken up again by another process within about a minute when the one running it is killed.

Where jobs live follows the database: on PostgreSQL, procrastinate (`jobs.postgres`: a well-kept job
library on PostgreSQL, with worker heartbeats, retries and periodic jobs); on SQLite, the embedded
queue (`jobs.embedded`). No library covers SQLite on one machine with nothing else installed: SAQ and
procrastinate need Redis or PostgreSQL, huey's SQLite queue drops a job its worker was killed running,
taskiq has no SQLite broker. So the embedded queue is the least that is safe there: a table, a file
lock for the one process that runs jobs, and the same retry rule (`registry`).

Jobs are deliberately not in Redis (as SAQ would keep them): Redis carries only what may be lost, and a
Redis restart must not lose an export or a mail.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from litestar import Request
from litestar.background_tasks import BackgroundTask

from workspace.core.jobs.registry import JobContext, periodic, task
from workspace.core.schema import sqlite_file

__all__ = ["JobContext", "JobQueue", "after_response", "build_queue", "periodic", "task"]

logger = logging.getLogger("passerelle.jobs")


class JobQueue(Protocol):
    async def defer(self, task: str, **args: Any) -> None: ...

    async def waiting(self) -> int: ...

    def start(self) -> None: ...

    async def stop(self, grace: float) -> None: ...


def build_queue(context: JobContext, database_url: str) -> JobQueue:
    if database_url.startswith("postgresql"):
        from workspace.core.jobs.postgres import PostgresQueue

        return PostgresQueue(context, database_url)
    from workspace.core.jobs.embedded import EmbeddedQueue

    path = sqlite_file(database_url)
    return EmbeddedQueue(context, path.with_name(path.name + ".jobs.lock") if path else None)


async def _defer(queue: JobQueue, task_name: str, args: dict[str, Any]) -> None:
    try:
        await queue.defer(task_name, **args)
    except Exception:
        logger.exception("Job %s could not be stored: it will not run", task_name)
        raise


def after_response(request: Request[Any, Any, Any], task_name: str, **args: Any) -> BackgroundTask:
    """Store the job once the response is sent (the request's transaction is committed by then)."""
    return BackgroundTask(_defer, request.app.state.jobs, task_name, args)
