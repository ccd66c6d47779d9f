"""A process killed in the middle of an export: another one takes the export up and finishes it, and the
person sees its progress start again and end.

On SQLite the processes share the file (one machine); the one that runs jobs holds a lock the kernel
releases when it dies. On PostgreSQL a web process that does not run jobs (RUN_JOBS=off) serves the person,
a `passerelle worker` is killed mid-export, and another worker started afterwards finds the job of the
silent one (procrastinate's heartbeats, our sweep) and finishes it."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.dossier.support import consolidation
from tests.helpers import open_session
from tests.ops.support import eventually, export_row, form_post
from tests.processes import AppProcess, base_environment
from workspace.core.jobs.postgres import STALLED_AFTER
from workspace.dossier.models import ExportStatus

TAKEN_UP_WITHIN = 60.0
RENDERED_WITHIN = 180.0
"""The PDF's own time: seconds on a quiet machine, a minute on a busy shared one."""


@pytest.mark.sqlite_only
async def test_an_export_whose_process_is_killed_is_finished_by_another(
    database_url, db, settings, redis_url, tmp_path
):
    setup = await consolidation(db)
    facilitator_session = await open_session(db, setup.facilitator)
    slug = setup.cycle.slug
    first = AppProcess.web(tmp_path / "first.log", database_url, REDIS_URL=redis_url).start()
    second: AppProcess | None = None
    try:
        first.wait_ready()  # first started: it runs the jobs
        second = AppProcess.web(tmp_path / "second.log", database_url, REDIS_URL=redis_url).start().wait_ready()
        cookies = {settings.session_cookie_name: facilitator_session}
        async with httpx.AsyncClient(base_url=second.base_url, cookies=cookies, timeout=30) as client:
            asked = await form_post(client, f"/cycles/{slug}/dossier/exports", {"format": "pdf", "language": "fr-nl"},
                                    token_from=f"/cycles/{slug}/dossier/consolidation")  # fmt: skip
            assert asked.status_code == 303, asked.text[:300]
            progress_page = asked.headers["location"]

            async def rendering() -> bool:
                row = await export_row(db)
                return row is not None and row.status == ExportStatus.RUNNING and row.progress >= 40

            await eventually(rendering, within=60, every=0.05)
            first.kill()
            row = await export_row(db)
            assert row is not None
            assert row.status == ExportStatus.RUNNING

            async def done() -> bool:
                row = await export_row(db)
                return row is not None and row.status == ExportStatus.DONE

            await eventually(
                lambda: asyncio.sleep(0, "Took up 1 background jobs" in second.output()), within=TAKEN_UP_WITHIN
            )
            await eventually(done, within=RENDERED_WITHIN)
            page = await client.get(progress_page)
            assert "The export is ready." in page.text
            download = await client.get(f"{progress_page}/download")
            assert download.status_code == 200
            assert download.content.startswith(b"%PDF")
    finally:
        first.kill()
        if second is not None:
            second.kill()
        await asyncio.sleep(0)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_an_export_whose_worker_is_killed_is_finished_by_another_worker(
    database_url, db, settings, redis_url, tmp_path
):
    setup = await consolidation(db)
    cookies = {settings.session_cookie_name: await open_session(db, setup.facilitator)}
    slug = setup.cycle.slug
    environment = base_environment(database_url, REDIS_URL=redis_url)
    web = AppProcess.web(tmp_path / "web.log", database_url, REDIS_URL=redis_url, RUN_JOBS="off").start()
    killed = AppProcess(tmp_path / "killed-worker.log", environment, "worker").start()
    replacement = AppProcess(tmp_path / "replacement-worker.log", environment, "worker")
    try:
        web.wait_ready()
        async with httpx.AsyncClient(base_url=web.base_url, cookies=cookies, timeout=30) as client:
            asked = await form_post(client, f"/cycles/{slug}/dossier/exports", {"format": "pdf", "language": "fr-nl"},
                                    token_from=f"/cycles/{slug}/dossier/consolidation")  # fmt: skip
            assert asked.status_code == 303, asked.text[:300]
            progress_page = asked.headers["location"]

            async def rendering() -> bool:
                row = await export_row(db)
                return row is not None and row.status == ExportStatus.RUNNING and row.progress >= 40

            await eventually(rendering, within=60, every=0.05)
            killed.kill()
            replacement.start()

            async def done() -> bool:
                row = await export_row(db)
                return row is not None and row.status == ExportStatus.DONE

            await eventually(
                lambda: asyncio.sleep(0, "Took up 1 background jobs" in replacement.output()),
                within=TAKEN_UP_WITHIN + STALLED_AFTER,
            )
            await eventually(done, within=RENDERED_WITHIN)
            assert "The export is ready." in (await client.get(progress_page)).text
            download = await client.get(f"{progress_page}/download")
            assert download.status_code == 200
            assert download.content.startswith(b"%PDF")
    finally:
        for process in (web, killed, replacement):
            process.kill()
