"""Log lines without secrets: the tokens of sign-up, invitation and password-reset links, and the codes of
an OpenID Connect callback, are replaced before any handler writes a line.

`redact(text)` is the one rule; `RedactSecrets` applies it to log records (message and arguments), and
`install()` puts that filter on every handler configured when the app starts (uvicorn's access and error
logs, Litestar's, the root logger that ours propagate to). A line written elsewhere (a per-request log)
must go through `redact` too.

`configure()` gives the process one way of writing lines: readable text on a terminal, or one JSON object
per line for a log collector (`LOG_FORMAT`), each carrying the id of the request it was written for.
"""

from __future__ import annotations

import logging
import re
import sys
from contextvars import ContextVar
from typing import Any

from pythonjsonlogger.json import JsonFormatter

REDACTED = "[redacted]"
_LINK_TOKEN = re.compile(r"(/(?:password/reset|signup|invitations)/)[^/\s?#\"'<>]+")
_QUERY_SECRET = re.compile(r"([?&](?:code|state|token|session_state)=)[^&#\s\"'<>]+")
MAIL_DELIVERY = "mail_delivery"
"""`extra={MAIL_DELIVERY: True}` marks the development fallback that writes a whole e-mail to the log
(there is no mail server): the mail is its content, links included, so it is kept where allowed."""


request_id: ContextVar[str] = ContextVar("request_id", default="-")
"""The id of the request being answered (`core.observe`), "-" outside any request."""
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s"
QUIET_LOGGERS = ("uvicorn.access", "procrastinate", "httpx", "workspace.core.db")
"""Only their warnings: uvicorn's access log repeats `core.observe`'s line, the job library's says what ours
says already, httpx logs every call to an identity provider, the pools every time they are recreated."""


def redact(text: str) -> str:
    return _QUERY_SECRET.sub(rf"\1{REDACTED}", _LINK_TOKEN.sub(rf"\1{REDACTED}", text))


def _redact_value(value: Any) -> Any:
    return redact(value) if isinstance(value, str) else value


class RedactSecrets(logging.Filter):
    """Rewrites a record's message and string arguments in place (uvicorn's access formatter reads the
    arguments one by one, so they stay arguments)."""

    def __init__(self, *, keep_mail_delivery: bool = False) -> None:
        super().__init__()
        self.keep_mail_delivery = keep_mail_delivery

    def filter(self, record: logging.LogRecord) -> bool:
        if self.keep_mail_delivery and getattr(record, MAIL_DELIVERY, False):
            return True
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_redact_value(value) for value in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _redact_value(value) for key, value in record.args.items()}
        return True


class RequestId(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return True


class _ProcessHandler(logging.StreamHandler):
    """The handler `configure` adds, recognised when it is called again (tests build many apps)."""


def configure(*, json_lines: bool) -> None:
    """One handler on the root logger, text or JSON, that every logger (uvicorn's too) writes through."""
    root = logging.getLogger()
    handler = next((h for h in root.handlers if isinstance(h, _ProcessHandler)), None)
    if handler is None:
        handler = _ProcessHandler(sys.stderr)
        handler.addFilter(RequestId())
        root.addHandler(handler)
    formatter: logging.Formatter = (
        JsonFormatter(JSON_FIELDS, rename_fields={"asctime": "time", "levelname": "level", "name": "logger"})
        if json_lines
        else logging.Formatter(TEXT_FORMAT)
    )
    handler.setFormatter(formatter)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    for name in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def _handlers() -> list[logging.Handler]:
    loggers = [
        logging.getLogger(),
        *(lg for lg in logging.root.manager.loggerDict.values() if isinstance(lg, logging.Logger)),
    ]
    return [handler for logger in loggers for handler in logger.handlers]


def install(*, keep_mail_delivery: bool) -> None:
    """Put the filter on every configured handler (once each); call when the app is built."""
    for handler in _handlers():
        if not any(isinstance(existing, RedactSecrets) for existing in handler.filters):
            handler.addFilter(RedactSecrets(keep_mail_delivery=keep_mail_delivery))
