"""Log lines never carry the secrets of links: sign-up, invitation and reset tokens, OpenID Connect codes."""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.servers import free_port
from workspace.core.logs import MAIL_DELIVERY, RedactSecrets, redact
from workspace.settings import PROJECT_ROOT

SECRETS = ("Zq3-sign-up-secret", "Zq3-invitation-secret", "Zq3-reset-secret", "Zq3-code-secret", "Zq3-state-secret")


def test_the_rule_replaces_link_tokens_and_callback_codes():
    line = (
        '127.0.0.1:5000 - "GET /password/reset/Zq3-reset-secret HTTP/1.1" 404; /signup/Zq3-sign-up-secret; '
        "/invitations/Zq3-invitation-secret/accept; "
        "/login/oidc/lille/callback?code=Zq3-code-secret&state=Zq3-state-secret"
    )
    redacted = redact(line)
    assert not any(secret in redacted for secret in SECRETS)
    assert "/password/reset/[redacted] HTTP/1.1" in redacted
    assert "/invitations/[redacted]/accept" in redacted
    assert "callback?code=[redacted]&state=[redacted]" in redacted
    assert redact("GET /cycles/2013-logement/invitations HTTP/1.1") == "GET /cycles/2013-logement/invitations HTTP/1.1"


def test_records_of_our_loggers_are_redacted_except_a_development_mail():
    record = logging.LogRecord(
        "passerelle.x", logging.INFO, __file__, 1, "link %s", ("/signup/Zq3-sign-up-secret",), None
    )
    assert RedactSecrets().filter(record)
    assert record.getMessage() == "link /signup/[redacted]"
    mail = logging.LogRecord(
        "passerelle.mail", logging.WARNING, __file__, 1, "%s", ("/signup/Zq3-sign-up-secret",), None
    )
    setattr(mail, MAIL_DELIVERY, True)
    RedactSecrets(keep_mail_delivery=True).filter(mail)
    assert "Zq3-sign-up-secret" in mail.getMessage()
    RedactSecrets(keep_mail_delivery=False).filter(mail)
    assert "Zq3-sign-up-secret" not in mail.getMessage()


@pytest.mark.sqlite_only
def test_the_served_app_keeps_tokens_out_of_its_access_and_error_logs(sqlite_template: Path, tmp_path: Path):
    """`passerelle serve` as in production's Procfile step: the app's line per request, read from its output."""
    database = tmp_path / "logs.sqlite3"
    shutil.copyfile(sqlite_template, database)
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{database}", "PYTHONUNBUFFERED": "1"}
    output = tmp_path / "server.log"
    with output.open("w") as sink:
        server = subprocess.Popen(
            [sys.executable, "-m", "workspace.cli", "serve", "--port", str(port)],
            cwd=PROJECT_ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 30
            while True:
                try:
                    httpx.get(f"{base}/login", timeout=1)
                    break
                except httpx.HTTPError:
                    assert server.poll() is None, output.read_text()
                    assert time.monotonic() < deadline, "the server did not start"
                    time.sleep(0.1)
            with httpx.Client(base_url=base, timeout=10) as http:
                http.get("/password/reset/Zq3-reset-secret")
                http.get("/signup/Zq3-sign-up-secret")
                http.post("/invitations/Zq3-invitation-secret/accept")
                http.get("/login/oidc/lille/callback?code=Zq3-code-secret&state=Zq3-state-secret")
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=20)
    log = output.read_text()
    assert "GET /password/reset/[redacted] 404" in log
    assert "POST /invitations/[redacted]/accept" in log
    assert not [secret for secret in SECRETS if secret in log], log
