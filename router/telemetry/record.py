"""What one client request did, noted by the pipeline as it goes (cheap: a context
variable read and an attribute write), read by :mod:`router.telemetry.middleware` at the end.

The hooks here are the only telemetry calls in the pipeline and the executor; each does
nothing outside a request the middleware opened (the bench's and tests' direct calls).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from observability.logs import REQUEST_ID
from observability.tracing import span, trace_headers

__all__ = [
    "FetchTiming",
    "RequestRecord",
    "current_record",
    "fetch_span",
    "note_errors",
    "note_operation",
    "note_plan_cache",
    "phase_span",
    "subgraph_headers",
]


@dataclass(slots=True)
class FetchTiming:
    subgraph: str
    seconds: float
    failed: bool


@dataclass(slots=True)
class RequestRecord:
    request_id: str
    operation_name: str | None = None
    plan_cache_hit: bool | None = None
    graphql_errors: int = 0
    fetches: list[FetchTiming] = field(default_factory=list)


_RECORD: ContextVar[RequestRecord | None] = ContextVar("router_request_record", default=None)


def current_record() -> RequestRecord | None:
    return _RECORD.get()


def open_record(request_id: str) -> tuple[RequestRecord, Any]:
    """A new record made current; the token resets it."""
    record = RequestRecord(request_id)
    return record, _RECORD.set(record)


def close_record(token: Any) -> None:
    _RECORD.reset(token)


def note_operation(name: str | None) -> None:
    record = _RECORD.get()
    if record is not None:
        record.operation_name = name


def note_plan_cache(hit: bool) -> None:
    record = _RECORD.get()
    if record is not None:
        record.plan_cache_hit = hit


def note_errors(count: int) -> None:
    record = _RECORD.get()
    if record is not None:
        record.graphql_errors += count


def phase_span(name: str) -> Any:
    """A child span of the request for one stage (parse/validate, plan, shaping)."""
    return span(name)


@contextmanager
def fetch_span(subgraph: str, entities: int | None = None) -> Iterator[list[bool]]:
    """Around one subgraph fetch: its span and its timing in the record. The caller appends
    to the yielded list to say the fetch failed."""
    failed: list[bool] = []
    record = _RECORD.get()
    attributes: dict[str, str | int] = {"graphql.subgraph": subgraph}
    if record is not None and record.operation_name:
        attributes["graphql.operation.name"] = record.operation_name
    if entities is not None:
        attributes["graphql.entity_count"] = entities
    started = time.perf_counter()
    with span(f"fetch {subgraph}", attributes) as fetch:
        yield failed
        if fetch is not None and failed:
            fetch.set_attribute("error", True)
    if record is not None:
        record.fetches.append(FetchTiming(subgraph, time.perf_counter() - started, bool(failed)))


def subgraph_headers() -> tuple[tuple[str, str], ...]:
    """What a subgraph request carries of this request: ``traceparent`` (when tracing) and
    ``x-request-id`` (the same id in the subgraph's log lines)."""
    request_id = REQUEST_ID.get()
    if request_id is None:
        return tuple(trace_headers())
    return (*trace_headers(), ("x-request-id", request_id))
