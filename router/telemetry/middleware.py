"""The ASGI middleware in front of ``/graphql``: per request, a record the pipeline notes
into (:mod:`router.telemetry.record`), the request id (``X-Request-Id``, the client's if it
is a short token, else a new one; sent back and to the subgraphs, in every log line), the
root span (the client's ``traceparent`` as its parent), the metrics, and one access-log line
(``router.access``: operation, status, duration, fetch count; never variables or the query).
"""

from __future__ import annotations

import logging
import re
import secrets
import time

from opentelemetry.trace import SpanKind
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from observability.logs import REQUEST_ID
from observability.tracing import current_ids, extract, span
from router.telemetry.metrics import RouterMetrics
from router.telemetry.record import close_record, open_record

__all__ = ["REQUEST_ID_HEADER", "TelemetryMiddleware", "access_logger"]

REQUEST_ID_HEADER = b"x-request-id"
_VALID_REQUEST_ID = re.compile(rb"[A-Za-z0-9._-]{1,64}")
access_logger = logging.getLogger("router.access")


def _request_id(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == REQUEST_ID_HEADER and _VALID_REQUEST_ID.fullmatch(value):
            return bytes(value).decode("ascii")
    return secrets.token_hex(8)


class TelemetryMiddleware:
    def __init__(self, app: ASGIApp, metrics: RouterMetrics, *, access_log: bool = True) -> None:
        self.app = app
        self.metrics = metrics
        self.access_log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = _request_id(scope)
        record, record_token = open_record(request_id)
        id_token = REQUEST_ID.set(request_id)
        status = 500
        trace_ids: tuple[str, str] | None = None
        id_header = (REQUEST_ID_HEADER, request_id.encode("ascii"))

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*message.get("headers", ()), id_header]}
            await send(message)

        self.metrics.in_flight.inc()
        try:
            parent = extract(scope["headers"])
            with span("router.request", None, SpanKind.SERVER, parent) as request_span:
                await self.app(scope, receive, send_with_id)
                if request_span is not None:
                    trace_ids = current_ids()
                    request_span.set_attribute("http.response.status_code", status)
                    request_span.set_attribute("router.fetch_count", len(record.fetches))
                    request_span.set_attribute("router.request_id", request_id)
                    if record.operation_name:
                        request_span.set_attribute("graphql.operation.name", record.operation_name)
        finally:
            self.metrics.in_flight.dec()
            seconds = time.perf_counter() - started
            operation = self.metrics.observe(record, status, seconds)
            if self.access_log and access_logger.isEnabledFor(logging.INFO):
                access_logger.info(
                    "%s %s %.1f ms %d fetches",
                    operation, status, seconds * 1000, len(record.fetches),
                    extra={
                        "operation": operation,
                        "status": status,
                        "duration_ms": round(seconds * 1000, 3),
                        "fetches": len(record.fetches),
                        "graphql_errors": record.graphql_errors,
                        "request_id": request_id,
                        "trace_id": trace_ids and trace_ids[0],
                        "span_id": trace_ids and trace_ids[1],
                    },
                )  # fmt: skip
            REQUEST_ID.reset(id_token)
            close_record(record_token)
