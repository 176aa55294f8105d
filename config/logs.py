"""Logs: one JSON object a line in production (BAQYLAU_LOG_FORMAT=json), plain text on a developer's
machine, and on every line the id of the request or Celery task it was logged in.

The id travels in a context variable: set by config.request_id.RequestIdMiddleware for a request (the
proxy's X-Request-ID when it is a sane token, a new one otherwise) and by config.celery for a task (the
task id), and read by RequestIdFilter on the handler, so that lines logged by any library carry it.
Standard library only. Imported by config/settings.py: nothing here may need Django's settings.
"""

import json
import logging
import re
import uuid
from contextvars import ContextVar, Token
from datetime import UTC, datetime

NO_REQUEST = "-"
REQUEST_ID: ContextVar[str] = ContextVar("request_id", default=NO_REQUEST)
# What a proxy's X-Request-ID may be and still be written into the logs: a UUID, nginx's
# $request_id (32 hex digits), a load balancer's trace id. Anything else could forge log lines.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:+=/-]{7,127}")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def new_request_id() -> str:
    return uuid.uuid4().hex


def request_id_from(header: str | None) -> str:
    """The proxy's id when it is a sane token, else a new one."""
    if header and SANE_REQUEST_ID.fullmatch(header):
        return header
    return new_request_id()


def bind_request_id(value: str) -> Token:
    return REQUEST_ID.set(value)


def unbind_request_id(token: Token) -> None:
    REQUEST_ID.reset(token)


class RequestIdFilter(logging.Filter):
    """Puts the current request's or task's id on every record that reaches the handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = REQUEST_ID.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: timestamp (UTC, ISO 8601), level, logger, message, request_id, and the
    exception's traceback when there is one. ASCII only, so no terminal or shipper mangles a line."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", NO_REQUEST),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry)


def logging_config(*, log_format: str, level: str) -> dict:
    """The LOGGING dictionary: one handler on the root logger that every logger propagates to.

    Django's own loggers ("django", "django.server") get no handlers of their own here, so that what
    they log goes out once, through the root handler, in the chosen format.
    """
    formatter = {"()": JsonFormatter} if log_format == "json" else {"format": TEXT_FORMAT}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"main": formatter},
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "main", "filters": ["request_id"]}
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django": {"handlers": [], "level": level, "propagate": True},
            "django.server": {"handlers": [], "level": level, "propagate": True},
        },
    }
