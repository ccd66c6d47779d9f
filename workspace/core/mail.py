"""Outgoing e-mail: through SMTP when configured, otherwise written to the log (development)."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from urllib.parse import unquote, urlparse

from litestar.concurrency import sync_to_thread

from workspace.core.logs import MAIL_DELIVERY

logger = logging.getLogger("passerelle.mail")
SENDER = "Passerelle <no-reply@passerelle.invalid>"


def _send_sync(smtp_url: str, message: EmailMessage) -> None:
    parsed = urlparse(smtp_url)
    use_ssl = parsed.scheme == "smtps"
    port = parsed.port or (465 if use_ssl else 25)
    client_class = smtplib.SMTP_SSL if use_ssl else smtplib.SMTP
    with client_class(parsed.hostname or "localhost", port, timeout=10) as client:
        if parsed.scheme == "smtp+starttls":
            client.starttls()
        if parsed.username:
            client.login(unquote(parsed.username), unquote(parsed.password or ""))
        client.send_message(message)


async def send_mail(smtp_url: str | None, *, to: str, subject: str, body: str) -> None:
    if not smtp_url:
        logger.warning("E-mail to %s (no SMTP configured)\nSubject: %s\n\n%s", to, subject, body,
                       extra={MAIL_DELIVERY: True})  # fmt: skip
        return
    message = EmailMessage()
    message["From"] = SENDER
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    try:
        await sync_to_thread(_send_sync, smtp_url, message)
    except (OSError, smtplib.SMTPException):
        logger.exception("Could not send e-mail to %s", to)
