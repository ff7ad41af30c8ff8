"""A subgraph's telemetry: the server span of each ``/graphql`` request (child of the
router's fetch span through ``traceparent``), a span per root field resolved (``_entities``
included), one span per SQL statement (opentelemetry-instrumentation-sqlalchemy), Prometheus
metrics on ``/metrics`` and one access-log line per request (``subgraphs.access``).

Tracing follows the standard ``OTEL_*`` variables (:func:`observability.tracing.
configure_from_environment`, called by ``python -m subgraphs serve``); off, the spans cost a
``None`` test. Strawberry's own ``OpenTelemetryExtension`` is not used: it turns every field
resolver into a traced coroutine (a span per field of every order line) and records the
query text and resolver arguments (personal data) as span attributes.

Metrics (``operation``: the client's operation name, else the first root field, bounded as
in the router by :class:`observability.labels.BoundedLabels`):
``subgraph_requests_total{subgraph,operation}``, ``subgraph_request_errors_total{...}``,
``subgraph_request_duration_seconds{...}``, ``subgraph_requests_in_flight{subgraph}``,
``subgraph_db_pool_connections{subgraph,state}`` (``checked_out``/``idle``),
``subgraph_db_pool_size{subgraph}`` and ``subgraph_outbox_backlog{subgraph}`` (unpublished
events of the domain's outbox tables, counted when scraped).
"""

from __future__ import annotations

import inspect
import logging
import re
import secrets
import time
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLResolveInfo, GraphQLSchema, default_field_resolver
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.trace import SpanKind
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import MetaData, Table, func, select
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from models.database import Database
from observability.labels import BoundedLabels
from observability.logs import REQUEST_ID
from observability.tracing import current_ids, extract, provider, span, tracing_enabled

__all__ = [
    "SubgraphMetrics",
    "SubgraphTelemetry",
    "instrument_database",
    "note_errors",
    "outbox_tables",
    "trace_root_fields",
]

disable_created_metrics()  # type: ignore[no-untyped-call]
_DURATION_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
_VALID_REQUEST_ID = re.compile(rb"[A-Za-z0-9._-]{1,64}")
access_logger = logging.getLogger("subgraphs.access")


@dataclass(slots=True)
class _Record:
    operation: str | None = None
    errors: int = 0


_RECORD: ContextVar[_Record | None] = ContextVar("subgraph_request_record", default=None)


def note_errors(count: int) -> None:
    """GraphQL errors in the response being answered."""
    record = _RECORD.get()
    if record is not None:
        record.errors += count


def _note_operation(info: GraphQLResolveInfo[Any]) -> None:
    record = _RECORD.get()
    if record is not None and record.operation is None:
        operation = info.operation.name
        record.operation = operation.value if operation is not None else info.field_name


def trace_root_fields(schema: GraphQLSchema) -> None:
    """Wrap each Query and Mutation field's resolver, once: it names the operation for the
    metrics and, when tracing, runs in a span ``resolve Type.field``."""
    for root in (schema.query_type, schema.mutation_type):
        if root is None:
            continue
        for name, field in root.fields.items():
            field.resolve = _traced(f"resolve {root.name}.{name}", field.resolve)


def _traced(span_name: str, resolve: Callable[..., Any] | None) -> Callable[..., Any]:
    inner = resolve or default_field_resolver

    async def in_span(source: Any, info: GraphQLResolveInfo[Any], arguments: dict[str, Any]) -> Any:
        with span(span_name):
            result = inner(source, info, **arguments)
            if inspect.isawaitable(result):
                result = await result
            return result

    def resolve_traced(source: Any, info: GraphQLResolveInfo[Any], **arguments: Any) -> Any:
        _note_operation(info)
        if not tracing_enabled():
            return inner(source, info, **arguments)
        return in_span(source, info, arguments)

    return resolve_traced


def instrument_database(database: Database) -> None:
    """A span per SQL statement of ``database`` (its read engine shares the events), when
    tracing is on; at most once per engine."""
    tracer_provider = provider()
    engine = database.engine.sync_engine
    if tracer_provider is None or getattr(engine, "_ops_traced", False):
        return
    # the instrumentation declares SQLAlchemy < 2.1; its engine events are the same in 2.1
    # (tests/router/telemetry checks the statements' spans)
    SQLAlchemyInstrumentor().instrument(
        engine=engine, tracer_provider=tracer_provider, skip_dep_check=True
    )
    engine._ops_traced = True  # type: ignore[attr-defined]


def outbox_tables(metadata: MetaData) -> list[Table]:
    """The transactional outbox tables among ``metadata``'s (models.outbox columns)."""
    columns = {"event_id", "published", "envelope"}
    return [table for table in metadata.tables.values() if columns <= set(table.c.keys())]


class _PoolCollector(Collector):
    def __init__(self, subgraph: str, database: Database) -> None:
        self.subgraph = subgraph
        self.database = database

    def collect(self) -> Iterable[Metric]:
        pool: Any = self.database.engine.pool
        connections = GaugeMetricFamily(
            "subgraph_db_pool_connections",
            "Database connections of the subgraph's pool, by state (checked_out, idle).",
            labels=["subgraph", "state"],
        )
        size = GaugeMetricFamily(
            "subgraph_db_pool_size", "Connections the pool keeps.", labels=["subgraph"]
        )
        if hasattr(pool, "checkedout"):  # a queue pool (SQLite's static pool has no counts)
            connections.add_metric([self.subgraph, "checked_out"], pool.checkedout())
            connections.add_metric([self.subgraph, "idle"], pool.checkedin())
            size.add_metric([self.subgraph], pool.size())
        yield connections
        yield size


class SubgraphMetrics:
    def __init__(self, subgraph: str, database: Database, outboxes: list[Table]) -> None:
        self.subgraph = subgraph
        self.database = database
        self.outboxes = outboxes
        self.operations = BoundedLabels()
        self.registry = registry = CollectorRegistry(auto_describe=True)
        labels = ["subgraph", "operation"]
        self.requests = Counter(
            "subgraph_requests", "GraphQL requests, by operation.", labels, registry=registry
        )
        self.errors = Counter(
            "subgraph_request_errors",
            "GraphQL requests answered with errors or an HTTP error status, by operation.",
            labels, registry=registry,
        )  # fmt: skip
        self.duration = Histogram(
            "subgraph_request_duration_seconds", "GraphQL request latency, by operation.",
            labels, buckets=_DURATION_BUCKETS, registry=registry,
        )  # fmt: skip
        self.in_flight = Gauge(
            "subgraph_requests_in_flight", "Requests being answered.", ["subgraph"],
            registry=registry,
        ).labels(subgraph)  # fmt: skip
        self.backlog = Gauge(
            "subgraph_outbox_backlog", "Events staged in the outbox, not yet published.",
            ["subgraph"], registry=registry,
        ).labels(subgraph)  # fmt: skip
        registry.register(_PoolCollector(subgraph, database))
        self._children: dict[str, tuple[Counter, Counter, Histogram]] = {}

    def observe(self, record: _Record, status: int, seconds: float) -> str:
        label = self.operations.label(record.operation)
        children = self._children.get(label)
        if children is None:
            children = self._children[label] = (
                self.requests.labels(self.subgraph, label),
                self.errors.labels(self.subgraph, label),
                self.duration.labels(self.subgraph, label),
            )
        requests, errors, duration = children
        requests.inc()
        duration.observe(seconds)
        if status >= 400 or record.errors:
            errors.inc()
        return label

    async def refresh_backlog(self) -> None:
        if not self.outboxes:
            return
        total = 0
        async with self.database.reads() as session:
            for table in self.outboxes:
                query = select(func.count()).select_from(table).where(table.c.published.is_(False))
                total += (await session.execute(query)).scalar_one()
        self.backlog.set(total)

    async def endpoint(self, _request: Request) -> Response:
        """``GET /metrics``."""
        try:
            await self.refresh_backlog()
        except Exception:  # the database is down: the last count stays, the rest is served
            logging.getLogger(__name__).warning("outbox backlog not counted", exc_info=True)
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)


def _request_id(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == b"x-request-id" and _VALID_REQUEST_ID.fullmatch(value):
            return bytes(value).decode("ascii")
    return secrets.token_hex(8)


class SubgraphTelemetry:
    """ASGI middleware for ``/graphql``: span, request id, metrics, access-log line."""

    def __init__(self, app: ASGIApp, metrics: SubgraphMetrics) -> None:
        self.app = app
        self.metrics = metrics
        self.span_name = f"subgraph {metrics.subgraph}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        record = _Record()
        record_token = _RECORD.set(record)
        request_id = _request_id(scope)
        id_token = REQUEST_ID.set(request_id)
        status = 500
        trace_ids: tuple[str, str] | None = None

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        self.metrics.in_flight.inc()
        try:
            parent = extract(scope["headers"])
            with span(self.span_name, None, SpanKind.SERVER, parent) as server_span:
                await self.app(scope, receive, send_status)
                if server_span is not None:
                    trace_ids = current_ids()
                    server_span.set_attribute("http.response.status_code", status)
                    if record.operation:
                        server_span.set_attribute("graphql.operation.name", record.operation)
        finally:
            self.metrics.in_flight.dec()
            seconds = time.perf_counter() - started
            operation = self.metrics.observe(record, status, seconds)
            if access_logger.isEnabledFor(logging.INFO):
                access_logger.info(
                    "%s %s %.1f ms", operation, status, seconds * 1000,
                    extra={"subgraph": self.metrics.subgraph, "operation": operation,
                           "status": status, "duration_ms": round(seconds * 1000, 3),
                           "graphql_errors": record.errors,
                           "request_id": request_id,
                           "trace_id": trace_ids and trace_ids[0],
                           "span_id": trace_ids and trace_ids[1]},
                )  # fmt: skip
            REQUEST_ID.reset(id_token)
            _RECORD.reset(record_token)
