"""The embedded queue: background jobs in the SQLite database itself, run by one process at a time.

No job library runs on SQLite alone (see `jobs/__init__.py`), so this is the least that keeps jobs safe
on one machine: each job is a row of `background_job`; the process that runs jobs holds an exclusive
lock on a file beside the database (the operating system releases it when that process dies, however it
dies), so exactly one process runs them, and the next to get the lock first puts back every job the
dead one was running (it will never finish them). A job deferred by another process is seen within
`POLL_SECONDS`; one deferred by the runner's own process at once. Each queue runs one job at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update

from workspace.core.jobs import registry
from workspace.core.jobs.models import BackgroundJob, JobStatus
from workspace.core.tokens import utcnow

logger = logging.getLogger("passerelle.jobs")

POLL_SECONDS = 1.0
LOCK_RETRY_SECONDS = 1.0
FIRST_PERIODIC_AFTER = 30.0


class RunnerLock:
    """An exclusive lock on a file beside the database, held while this process runs jobs."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def try_acquire(self) -> bool:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor releases the lock
            self._fd = None


class EmbeddedQueue:
    def __init__(self, context: registry.JobContext, lock_path: Path | None) -> None:
        self.context = context
        self.db = context.db
        self._lock = RunnerLock(lock_path) if lock_path is not None else None
        self._wakers: dict[str, asyncio.Event] = {}
        self._runner: asyncio.Task[None] | None = None
        self._running: set[asyncio.Task[None]] = set()
        self._stopping = False

    async def defer(self, task: str, **args: Any) -> None:
        assert task in registry.TASKS, task
        now = utcnow()
        async with self.db.transaction() as session:
            session.add(BackgroundJob(task=task, args=args, status=JobStatus.WAITING, run_after=now, created_at=now))
        waker = self._wakers.get(registry.TASKS[task].queue)
        if waker is not None:
            waker.set()

    async def waiting(self) -> int:
        async with self.db.session(write=False) as session:
            count = await session.scalar(
                select(func.count()).select_from(BackgroundJob).where(BackgroundJob.status == JobStatus.WAITING)
            )
        return int(count or 0)

    def start(self) -> None:
        self._runner = asyncio.get_running_loop().create_task(self._run(), name="embedded-jobs")

    async def stop(self, grace: float) -> None:
        """Let running jobs finish for `grace` seconds; those still running then stay marked running, and
        whoever runs jobs next takes them up again."""
        self._stopping = True
        if self._running:
            _done, still_running = await asyncio.wait(self._running, timeout=grace)
            for job in still_running:
                job.cancel()
            await asyncio.gather(*still_running, return_exceptions=True)
        if self._runner is not None:
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._runner
        if self._lock is not None:
            self._lock.release()

    async def _run(self) -> None:
        if self._lock is not None and not self._lock.try_acquire():
            logger.info("Another process runs the background jobs of this database: waiting to take over")
            while not self._lock.try_acquire():  # noqa: ASYNC110 - the lock's holder is another process
                await asyncio.sleep(LOCK_RETRY_SECONDS)
        await self._take_up_interrupted()
        loops = [asyncio.create_task(self._queue_loop(queue), name=f"jobs-{queue}") for queue in registry.QUEUES]
        loops.append(asyncio.create_task(self._periodic_loop(), name="jobs-periodic"))
        try:
            await asyncio.gather(*loops)
        finally:
            for loop in loops:
                loop.cancel()
            await asyncio.gather(*loops, return_exceptions=True)

    async def _take_up_interrupted(self) -> None:
        """Jobs marked running when we got the lock belonged to a process that is gone."""
        async with self.db.transaction() as session:
            interrupted = list(
                await session.scalars(select(BackgroundJob).where(BackgroundJob.status == JobStatus.RUNNING))
            )
            for job in interrupted:
                task = registry.TASKS.get(job.task)
                if task is None or job.attempts >= task.attempts:
                    job.status, job.finished_at = JobStatus.FAILED, utcnow()
                    job.error = "interrupted too often"
                else:
                    job.status, job.run_after = JobStatus.WAITING, utcnow()
        if interrupted:
            logger.warning("Took up %d background jobs interrupted by a stopped process", len(interrupted))

    async def _claim(self, queue: str) -> BackgroundJob | None:
        """The next due job of `queue`, marked running; looked for with a read first, so that an idle queue
        never takes SQLite's one writer."""
        names = [name for name, task in registry.TASKS.items() if task.queue == queue]
        due = (
            select(BackgroundJob.id)
            .where(
                BackgroundJob.status == JobStatus.WAITING,
                BackgroundJob.run_after <= utcnow(),
                BackgroundJob.task.in_(names),
            )
            .order_by(BackgroundJob.id)
            .limit(1)
        )
        async with self.db.session(write=False) as session:
            job_id = await session.scalar(due)
        if job_id is None:
            return None
        async with self.db.transaction() as session:
            job = await session.get(BackgroundJob, job_id)
            if job is None or job.status != JobStatus.WAITING:
                return None
            job.status = JobStatus.RUNNING
            job.attempts += 1
        return job

    async def _queue_loop(self, queue: str) -> None:
        waker = self._wakers.setdefault(queue, asyncio.Event())
        while not self._stopping:
            job = await self._claim(queue)
            if job is None:
                waker.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(waker.wait(), POLL_SECONDS)
                continue
            running = asyncio.create_task(self._run_job(job), name=f"job-{job.task}-{job.id}")
            self._running.add(running)
            running.add_done_callback(self._running.discard)
            await asyncio.shield(running)

    async def _run_job(self, job: BackgroundJob) -> None:
        task = registry.TASKS[job.task]
        try:
            await registry.execute(self.context, job.task, job.args, job.attempts - 1)
        except asyncio.CancelledError:
            raise  # left marked running: taken up again by the next runner
        except Exception as error:
            await self._record(job.id, failed=error, again_in=task.wait_before(job.attempts - 1),
                               last=job.attempts >= task.attempts)  # fmt: skip
            return
        await self._record(job.id)

    async def _record(
        self, job_id: int, *, failed: Exception | None = None, again_in: float = 0.0, last: bool = False
    ) -> None:
        now = utcnow()
        if failed is None:
            values: dict[str, Any] = {"status": JobStatus.DONE, "finished_at": now, "error": ""}
        elif last:
            values = {"status": JobStatus.FAILED, "finished_at": now, "error": str(failed)[:2000]}
        else:
            values = {"status": JobStatus.WAITING, "run_after": now + timedelta(seconds=again_in),
                      "error": str(failed)[:2000]}  # fmt: skip
        async with self.db.transaction() as session:
            await session.execute(update(BackgroundJob).where(BackgroundJob.id == job_id).values(**values))

    async def _periodic_loop(self) -> None:
        loop = asyncio.get_running_loop()
        due = {name: loop.time() + FIRST_PERIODIC_AFTER for name in registry.PERIODIC}
        while not self._stopping:
            now = loop.time()
            for name, when in sorted(due.items(), key=lambda item: item[1]):
                if when <= now:
                    await registry.run_periodic(self.context, name)
                    due[name] = loop.time() + registry.PERIODIC[name].every
            await asyncio.sleep(max(0.05, min(due.values(), default=now + 60) - loop.time()))
