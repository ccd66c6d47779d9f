"""Real processes for operations tests: `passerelle serve` (or `worker`) subprocesses and a Redis server
that can be stopped and started again on the same port.

Each process writes its output to a file the test reads (`AppProcess.output()`), and is ended by the
test that started it: SIGTERM to see it stop in order, SIGKILL to see what a crash leaves behind.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.servers import free_port
from workspace.settings import PROJECT_ROOT

START_TIMEOUT = 120.0
"""Seconds a process gets to answer /health: a busy shared 2-core machine took 48 s to import and start one."""


def base_environment(database_url: str, **settings: str) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("PASSERELLE_", "PYTEST"))}
    for name in ("REDIS_URL", "SMTP_URL", "RUN_JOBS", "WORKERS", "METRICS_TOKEN", "LOG_FORMAT"):
        environment.pop(name, None)
    environment.update({"DATABASE_URL": database_url, "PYTHONUNBUFFERED": "1", "LOGIN_RATE_LIMIT": "1000"})
    environment.update(settings)
    return environment


class AppProcess:
    """`python -m workspace.cli ARGS` with its own environment, its output in `log_path`."""

    def __init__(self, log_path: Path, environment: dict[str, str], *args: str) -> None:
        self.log_path = log_path
        self.environment = environment
        self.args = args
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @classmethod
    def web(cls, log_path: Path, database_url: str, **settings: str) -> AppProcess:
        app = cls(log_path, base_environment(database_url, **settings))
        app.args = ("serve", "--host", "127.0.0.1", "--port", str(app.port))
        return app

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> AppProcess:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "workspace.cli", *self.args],
                cwd=PROJECT_ROOT, env=self.environment, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )  # fmt: skip
        return self

    def wait_ready(self) -> AppProcess:
        assert self.process is not None
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the app process exited with {self.process.returncode}:\n{self.output()}")
            try:
                if httpx.get(f"{self.base_url}/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"the app process did not answer:\n{self.output()}")

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def terminate(self) -> float:
        """SIGTERM, and the seconds it took the process to end."""
        assert self.process is not None
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=120)
        return time.monotonic() - started

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def run(self, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """Run a one-off command (migrate, backup...) to its end."""
        return subprocess.run(
            [sys.executable, "-m", "workspace.cli", *self.args],
            cwd=PROJECT_ROOT, env=self.environment, capture_output=True, text=True, timeout=timeout,
            stdin=subprocess.DEVNULL, check=False,
        )  # fmt: skip


def passerelle(environment: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return AppProcess(Path(os.devnull), environment, *args).run(timeout)


class RedisServer:
    """A real redis-server on loopback that a test may stop and start again on the same port."""

    def __init__(self, directory: Path) -> None:
        executable = shutil.which("redis-server")
        if executable is None:
            raise RuntimeError("redis-server is missing: `make test` installs it (scripts/system-deps.sh)")
        self.executable = executable
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.executable, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None
