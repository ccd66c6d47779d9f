"""Shared steps of the operations tests: waiting for something to become true, export progress read from
the database, background jobs due now, forms sent by a plain HTTP client."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

import httpx
from sqlalchemy import select, text, update

from workspace.core.db import Database
from workspace.core.jobs.models import BackgroundJob, JobStatus
from workspace.core.tokens import utcnow
from workspace.dossier.models import DossierExport

T = TypeVar("T")


async def eventually(check: Callable[[], Awaitable[T]], *, within: float, every: float = 0.2) -> T:
    """The first true value of `check()`, or AssertionError after `within` seconds."""
    deadline = time.monotonic() + within
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not so within {within:.0f} s (last: {value!r})")
        await asyncio.sleep(every)


async def export_row(db: Database) -> DossierExport | None:
    async with db.session(write=False) as session:
        return await session.scalar(select(DossierExport).order_by(DossierExport.created_at.desc()).limit(1))


async def jobs_due_now(db: Database) -> None:
    """Time moves on for the jobs waiting to be tried again (their wait is minutes, a test's is seconds)."""
    async with db.transaction() as session:
        if db.is_sqlite:
            await session.execute(
                update(BackgroundJob)
                .where(BackgroundJob.status == JobStatus.WAITING)
                .values(run_after=utcnow() - timedelta(seconds=1))
            )
        else:
            await session.execute(text("UPDATE procrastinate_jobs SET scheduled_at = now() WHERE status = 'todo'"))


def csrf_from(html: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert match, html[:500]
    return match.group(1)


async def form_post(client: httpx.AsyncClient, path: str, data: dict[str, Any], *, token_from: str) -> httpx.Response:
    page = await client.get(token_from)
    return await client.post(path, data={**data, "_csrf_token": csrf_from(page.text)})
