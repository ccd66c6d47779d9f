"""What every benchmark's `main` does: a temporary directory, uvloop when installed, and the directory
kept for reading (`--keep`) or removed."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import shutil
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path


def run(bench: Callable[[argparse.Namespace, Path], Awaitable[int]], sizes: argparse.Namespace, prefix: str) -> int:
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        loop_factory = None
        with contextlib.suppress(ImportError):
            import uvloop

            loop_factory = uvloop.new_event_loop
        with asyncio.Runner(loop_factory=loop_factory) as runner:
            return runner.run(bench(sizes, workdir))  # type: ignore[arg-type]
    finally:
        if sizes.keep:
            print(f"kept {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
