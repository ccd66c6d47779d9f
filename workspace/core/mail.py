"""Outgoing e-mail: a background job per mail, through SMTP when configured, else written to the log.

A mail is stored as a job ("mail") once the request that wrote it is committed (`Mailer.queue`), and sent
by whichever process runs jobs. An SMTP server that is down or refuses the mail for a while does not lose it: the job is
tried again after 30 s, doubling up to an hour, for about five hours; a mail that never left is logged as an
error and `mail_settled` says so (an invitation shows it), so nothing claims a mail was sent when it was
not. The sender is `MAIL_FROM`. Without `SMTP_URL` (development only: production refuses to start
without it) the whole mail, links included, is written to the log instead.
"""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any
from urllib.parse import unquote, urlparse

from blinker import Signal
from litestar import Request
from litestar.background_tasks import BackgroundTask
from litestar.concurrency import sync_to_thread

from workspace.core.jobs import JobContext, task
from workspace.core.logs import MAIL_DELIVERY

logger = logging.getLogger("passerelle.mail")
SMTP_TIMEOUT = 20

mail_settled = Signal("a mail about something was sent, or given up on")
"""Sent as `mail_settled.send_async(about, delivered=bool, db=...)` for a mail queued with `about`."""


class MailNotSent(RuntimeError):
    """The SMTP server could not be reached or did not take the mail."""


def _send_sync(smtp_url: str, message: EmailMessage) -> None:
    parsed = urlparse(smtp_url)
    use_ssl = parsed.scheme == "smtps"
    port = parsed.port or (465 if use_ssl else 25)
    client_class = smtplib.SMTP_SSL if use_ssl else smtplib.SMTP
    with client_class(parsed.hostname or "localhost", port, timeout=SMTP_TIMEOUT) as client:
        if parsed.scheme == "smtp+starttls":
            client.starttls()
        if parsed.username:
            client.login(unquote(parsed.username), unquote(parsed.password or ""))
        refused = client.send_message(message)
        if refused:
            raise MailNotSent(f"the server refused {', '.join(refused)}")


def compose(sender: str, *, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1].strip(" >") or None)
    message.set_content(body)
    return message


async def deliver(settings: Any, *, to: str, subject: str, body: str) -> None:
    """Send one mail now; raises MailNotSent when it did not leave."""
    if not settings.smtp_url:
        if settings.is_production:  # never reached: production refuses to start without SMTP_URL
            raise MailNotSent("no SMTP_URL")
        logger.warning("E-mail to %s (no SMTP configured)\nSubject: %s\n\n%s", to, subject, body,
                       extra={MAIL_DELIVERY: True})  # fmt: skip
        return
    message = compose(settings.mail_from, to=to, subject=subject, body=body)
    try:
        await sync_to_thread(_send_sync, settings.smtp_url, message)
    except (OSError, smtplib.SMTPException) as error:
        raise MailNotSent(f"{type(error).__name__}: {error}") from error


async def _gave_up(context: JobContext, error: Exception, *, to: str, about: str = "", **_: Any) -> None:
    logger.error("E-mail to %s was never sent: %s", to, error)
    if about:
        await mail_settled.send_async(about, delivered=False, db=context.db)


@task("mail", queue="mail", attempts=12, first_wait=30, longest_wait=3600, on_give_up=_gave_up)
async def mail_job(context: JobContext, *, to: str, subject: str, body: str, about: str = "") -> None:
    await deliver(context.settings, to=to, subject=subject, body=body)
    logger.info("E-mail to %s sent", to)
    if about:
        await mail_settled.send_async(about, delivered=True, db=context.db)


class Mailer:
    """How the app sends mail: a job per mail with SMTP; without it (development), written to the log at
    once, since there is nothing to try again."""

    def __init__(self, settings: Any, db: Any, jobs: Any) -> None:
        self.settings = settings
        self.db = db
        self.jobs = jobs

    async def queue(self, *, to: str, subject: str, body: str, about: str = "") -> None:
        """Store the mail's job now; ValueError at once for a mail that could never be sent (a line break
        in the address or the subject). `about` names what the mail is about ("invitation:<id>"), told
        of the outcome through `mail_settled`."""
        compose(self.settings.mail_from, to=to, subject=subject, body=body)
        if not self.settings.smtp_url:
            await deliver(self.settings, to=to, subject=subject, body=body)
            if about:
                await mail_settled.send_async(about, delivered=True, db=self.db)
            return
        await self.jobs.defer("mail", to=to, subject=subject, body=body, about=about)


async def _queue_logged(mailer: Mailer, to: str, subject: str, body: str, about: str) -> None:
    try:
        await mailer.queue(to=to, subject=subject, body=body, about=about)
    except Exception:
        logger.exception("E-mail to %s could not be queued: it will not be sent", to)


def send_after_response(request: Request[Any, Any, Any], *, to: str, subject: str, body: str,
                        about: str = "") -> BackgroundTask:  # fmt: skip
    """The mail, queued once the response is sent (the request's transaction is committed by then)."""
    return BackgroundTask(_queue_logged, request.app.state.mailer, to, subject, body, about)
