"""Structured logs: one JSON object per line with the request id and the trace ids, and no
personal data.

:func:`configure_logging` puts a :class:`JsonFormatter` (python-json-logger) on the root
logger. Every record gets ``request_id`` (:data:`REQUEST_ID`, set per request by the
router's and the subgraphs' telemetry middleware), and ``trace_id``/``span_id`` when a span
is recording. Messages are written without e-mail addresses and phone numbers
(:func:`redact`): defence in depth, the code logs no personal data in the first place
(tests/observability checks the records themselves).
"""

from __future__ import annotations

import logging
import re
import sys
from contextvars import ContextVar
from typing import Any, Literal, TextIO

from pythonjsonlogger.json import JsonFormatter as _PythonJsonFormatter

from observability.tracing import current_ids

__all__ = [
    "EMAIL_PATTERN",
    "PHONE_PATTERN",
    "REQUEST_ID",
    "ContextFilter",
    "JsonFormatter",
    "LogFormat",
    "configure_logging",
    "quiet_drivers",
    "redact",
]

LogFormat = Literal["json", "text"]
REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)
EMAIL_PATTERN = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# grouped (+86 130 1234 5678, (555) 123-4567, 030 1234 5678) or international digits
# (+8613012345678); not dates, times, durations or ids
PHONE_PATTERN = re.compile(
    r"(?:\+\d{1,3}[\s.-]?)?\(?\b\d{2,4}\)?[\s.-]\d{3,4}[\s.-]\d{4}\b|\+\d{8,15}\b"
)
# libraries that log statements with their parameters, or URLs, below WARNING
DRIVER_LOGGERS = ("aiosqlite", "asyncpg", "sqlalchemy.engine", "httpx", "httpcore")
_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"


def redact(text: str) -> str:
    """``text`` with every e-mail address and phone number replaced."""
    if "@" in text:
        text = EMAIL_PATTERN.sub("[email]", text)
    return PHONE_PATTERN.sub("[phone]", text)


class ContextFilter(logging.Filter):
    """Adds ``request_id``, ``trace_id`` and ``span_id`` to each record (None when absent)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = REQUEST_ID.get()
        if getattr(record, "trace_id", None) is None:  # an access line names its request's
            ids = current_ids()
            record.trace_id, record.span_id = ids if ids is not None else (None, None)
        return True


class JsonFormatter(_PythonJsonFormatter):
    """python-json-logger's formatter; message and traceback redacted (:func:`redact`)."""

    def __init__(self) -> None:
        super().__init__(
            _FIELDS,
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            timestamp=False,
        )

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        for key in ("message", "exc_info", "stack_info"):
            value = log_data.get(key)
            if isinstance(value, str):
                log_data[key] = redact(value)
        return log_data


class _RedactingTextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def quiet_drivers() -> dict[str, int]:
    """Raise the database drivers' and HTTP clients' loggers to WARNING: at DEBUG, aiosqlite
    logs every statement with its parameters (personal data). Returns the former levels."""
    former = {}
    for name in DRIVER_LOGGERS:
        driver = logging.getLogger(name)
        former[name] = driver.level
        driver.setLevel(logging.WARNING)
    return former


def configure_logging(
    level: int | str = logging.INFO, log_format: LogFormat = "json", stream: TextIO | None = None
) -> logging.Handler:
    """One handler on the root logger (replacing the others), JSON or text; uvicorn's
    loggers write through it too. Returns the handler."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(ContextFilter())
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        text = "%(levelname)s:     %(name)s: %(message)s [request_id=%(request_id)s]"
        handler.setFormatter(_RedactingTextFormatter(text))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    quiet_drivers()
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True
    return handler
