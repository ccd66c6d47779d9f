"""Several processes on one SQLite database without Redis: said loudly at start-up.

Without Redis each process keeps its own live events and sign-in counts: a comment posted through one
never reaches a page served by another. `passerelle serve` refuses `WORKERS` above 1 without Redis
(settings.py); this catches the rest (two services started on the same file): each such process holds an
exclusive lock on a file beside the database, and one that finds it held says what goes wrong.
"""

from __future__ import annotations

import fcntl
import logging
import os
from pathlib import Path

logger = logging.getLogger("passerelle.topology")


class ServingLock:
    def __init__(self, database: Path) -> None:
        self.database = database
        self.path = database.with_name(database.name + ".serving.lock")
        self._fd: int | None = None

    def claim(self) -> bool:
        """True when no other process serves the database without Redis."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            logger.error(
                "Another Passerelle process serves %s without REDIS_URL: live events made through one process "
                "never reach pages served by the other, and each counts sign-in attempts alone. Run one process, "
                "or set REDIS_URL for all of them.",
                self.database,
            )
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
