"""A real OpenID Connect provider (the npm package `oidc-provider`) on a loopback port, for the tests.

Its node modules are installed once (`npm ci`) into a cache directory keyed by package-lock.json; the
process is started on a free port and stopped by the fixture that started it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import httpx

from tests.servers import free_port

HERE = Path(__file__).resolve().parent
CACHE_ROOT = Path(os.environ.get("PASSERELLE_TEST_CACHE", Path.home() / ".cache" / "passerelle-tests"))
START_TIMEOUT = 30.0


class ProviderUnavailableError(RuntimeError):
    """Node or npm is missing, or the provider did not start."""


@dataclass(frozen=True)
class Client:
    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...]


@dataclass(frozen=True)
class RunningProvider:
    issuer: str


def install_directory() -> Path:
    """The cache directory holding node_modules for this package-lock.json (installed when missing)."""
    lock = (HERE / "package-lock.json").read_bytes()
    directory = CACHE_ROOT / f"oidc-provider-{hashlib.sha256(lock).hexdigest()[:16]}"
    if not (directory / "node_modules" / "oidc-provider").is_dir():
        npm = shutil.which("npm")
        if npm is None:
            raise ProviderUnavailableError("npm is not installed (scripts/system-deps.sh installs nodejs and npm)")
        staging = directory.with_name(directory.name + f".tmp{os.getpid()}")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copyfile(HERE / name, staging / name)
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=staging,
            check=True,
            timeout=300,
            stdin=subprocess.DEVNULL,
        )
        if not directory.exists():
            staging.rename(directory)
        else:
            shutil.rmtree(staging, ignore_errors=True)
    shutil.copyfile(HERE / "provider.mjs", directory / "provider.mjs")
    return directory


@contextmanager
def run_provider(clients: list[Client]) -> Iterator[RunningProvider]:
    node = shutil.which("node")
    if node is None:
        raise ProviderUnavailableError("node is not installed (scripts/system-deps.sh installs nodejs)")
    directory = install_directory()
    port = free_port()
    env = {
        **os.environ,
        "OIDC_PORT": str(port),
        "OIDC_CLIENTS": json.dumps(
            [
                {"client_id": c.client_id, "client_secret": c.client_secret, "redirect_uris": list(c.redirect_uris)}
                for c in clients
            ]
        ),
    }
    process = subprocess.Popen(
        [node, "provider.mjs"],
        cwd=directory,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        issuer = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                raise ProviderUnavailableError(f"the OIDC provider exited with {process.returncode}")
            try:
                if httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise ProviderUnavailableError("the OIDC provider did not start")
            time.sleep(0.1)
        yield RunningProvider(issuer=issuer)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def log_in_at_provider(authorize_url: str, login: str) -> str:
    """Walk the provider's development login and consent pages as a person would; returns the callback
    address the provider sends the browser back to (with code and state)."""
    async with httpx.AsyncClient(timeout=10) as browser:
        url = authorize_url
        for _ in range(12):
            response = await browser.get(url)
            if response.status_code in (302, 303):
                url = urljoin(url, response.headers["location"])
                if "/callback" in url:
                    return url
                continue
            if "/interaction/" in url and response.status_code == 200:
                prompt = "login" if 'name="login"' in response.text else "consent"
                data = (
                    {"prompt": prompt, "login": login, "password": "any"} if prompt == "login" else {"prompt": prompt}
                )
                response = await browser.post(url, data=data)
                assert response.status_code in (302, 303), response.text[:300]
                url = urljoin(url, response.headers["location"])
                if "/callback" in url:
                    return url
                continue
            raise AssertionError(f"unexpected answer from the provider at {url}: {response.status_code}")
    raise AssertionError("the provider never sent the browser back")
