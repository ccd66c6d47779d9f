"""Background jobs on PostgreSQL, through procrastinate: any number of processes on any number of machines.

The jobs live in PostgreSQL beside the data (tables `procrastinate_*`, made by migration 0011), so they
survive a restart of any process and are untouched by Redis going away. Every process that runs jobs
(`RUN_JOBS`, or `passerelle worker`) runs a procrastinate worker that sends a heartbeat every few seconds;
`sweep_stalled` (in each of them, every `SWEEP_SECONDS`) puts back the jobs of a worker whose heartbeat
stopped `STALLED_AFTER` seconds ago (a killed process), so another takes them up within about a minute.
The worker is started again if it stops on an error (the database away for a moment).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import procrastinate
from procrastinate.exceptions import ProcrastinateException
from procrastinate.jobs import Status
from procrastinate.retry import BaseRetryStrategy, RetryDecision
from sqlalchemy.engine import make_url

from workspace.core.jobs import registry

logger = logging.getLogger("passerelle.jobs")

HEARTBEAT_SECONDS = 5.0
STALLED_AFTER = 30.0
SWEEP_SECONDS = 10.0
RESTART_AFTER = 5.0
POOL_SIZE = 3
"""Connections of the job library per process (one listens for new jobs); add them to the database's budget."""


def libpq_url(database_url: str) -> str:
    """`postgresql+asyncpg://...` as libpq reads it."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


class _Retry(BaseRetryStrategy):
    """The registry's rule (`Task.wait_before`), for procrastinate."""

    def __init__(self, task: registry.Task) -> None:
        self.task = task

    def get_retry_decision(self, *, exception: BaseException, job: Any) -> RetryDecision | None:
        if job.attempts + 1 >= self.task.attempts:
            return None
        return RetryDecision(retry_in={"seconds": int(self.task.wait_before(job.attempts))})


def _cron(every: float) -> str:
    minutes = int(every // 60)
    assert every % 60 == 0, "periodic jobs run every few whole minutes"
    assert 1 <= minutes < 60, "periodic jobs run every few whole minutes"
    return f"*/{minutes} * * * *"


class PostgresQueue:
    def __init__(self, context: registry.JobContext, database_url: str) -> None:
        self.context = context
        self.app = procrastinate.App(
            connector=procrastinate.PsycopgConnector(conninfo=libpq_url(database_url), min_size=1, max_size=POOL_SIZE)
        )
        for task in registry.TASKS.values():
            self._register(task)
        for job in registry.PERIODIC.values():
            self._register_periodic(job)
        self._opened = False
        self._runner: asyncio.Task[None] | None = None

    def _register(self, task: registry.Task) -> None:
        async def run(job_context: procrastinate.JobContext, **args: Any) -> None:
            await registry.execute(self.context, task.name, args, job_context.job.attempts)

        self.app.task(name=task.name, queue=task.queue, retry=_Retry(task), pass_context=True)(run)

    def _register_periodic(self, job: registry.Periodic) -> None:
        async def run(timestamp: int) -> None:
            await registry.run_periodic(self.context, job.name)

        task = self.app.task(name=f"periodic:{job.name}", queue="upkeep")(run)
        self.app.periodic(cron=_cron(job.every), periodic_id=job.name)(task)

    async def _open(self) -> None:
        if not self._opened:
            await self.app.open_async()
            self._opened = True

    async def defer(self, task: str, **args: Any) -> None:
        assert task in registry.TASKS, task
        await self._open()
        await self.app.configure_task(task).defer_async(**args)

    async def waiting(self) -> int:
        await self._open()
        queues = await self.app.job_manager.list_queues_async()
        return sum(int(queue.get("todo", 0)) for queue in queues)

    def start(self) -> None:
        self._runner = asyncio.get_running_loop().create_task(self._run(), name="procrastinate")

    async def stop(self, grace: float) -> None:
        if self._runner is not None:
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._runner
        if self._opened:
            await self.app.close_async()
            self._opened = False

    async def _run(self) -> None:
        await self._open()
        sweeper = asyncio.create_task(self._sweep_forever(), name="procrastinate-sweep")
        try:
            while True:
                try:
                    await self.app.run_worker_async(
                        queues=list(registry.QUEUES),
                        concurrency=len(registry.QUEUES),
                        install_signal_handlers=False,
                        update_heartbeat_interval=HEARTBEAT_SECONDS,
                        stalled_worker_timeout=STALLED_AFTER,
                        shutdown_graceful_timeout=registry.SHUTDOWN_GRACE,
                        delete_jobs="successful",
                    )
                except asyncio.CancelledError:
                    raise
                except Exception:
                    logger.exception("The job worker stopped on an error: starting it again in %.0f s", RESTART_AFTER)
                await asyncio.sleep(RESTART_AFTER)
        finally:
            sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeper

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(SWEEP_SECONDS)
            try:
                await self.sweep_stalled()
            except Exception:  # the database away: the next sweep tries again
                logger.exception("Could not look for interrupted jobs")

    async def sweep_stalled(self) -> int:
        """Put back the jobs of workers that stopped sending heartbeats (their process is gone)."""
        manager = self.app.job_manager
        stalled = list(await manager.get_stalled_jobs(seconds_since_heartbeat=STALLED_AFTER))
        for job in stalled:
            task = registry.TASKS.get(job.task_name)
            with contextlib.suppress(ProcrastinateException, Exception):
                if task is not None and job.attempts + 1 < task.attempts:
                    await manager.retry_job(job)
                else:
                    await manager.finish_job(job, status=Status.FAILED, delete_job=False)
        if stalled:
            logger.warning("Took up %d background jobs interrupted by a stopped process", len(stalled))
        return len(stalled)
