"""One customer-360 through the real router and in-process subgraphs, traced: one trace
from the router's request span down to the SQL statements, every span linked to its parent."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from models.database import Database, open_database
from observability.tracing import TracingSettings, configure_tracing, disable_tracing
from platform_cli.dev import wire_platform
from subgraphs.registry import DOMAINS

ROOT = Path(__file__).resolve().parents[3]
SUPERGRAPH = (ROOT / "schema.graphql").read_text(encoding="utf-8")
QUERY = (ROOT / "bench" / "queries" / "customer-360.graphql").read_text(encoding="utf-8")


@pytest.fixture
async def spans(database: Database) -> AsyncIterator[tuple[InMemorySpanExporter, Database]]:
    """Tracing into memory; a database of its own (same store) whose engine is instrumented
    for this test only."""
    exporter = InMemorySpanExporter()
    configure_tracing(TracingSettings("test"), exporter)
    traced = open_database(database.engine.url.render_as_string(hide_password=False))
    try:
        yield exporter, traced
    finally:
        disable_tracing()
        await traced.dispose()


def _by_id(finished: tuple[ReadableSpan, ...]) -> dict[int, ReadableSpan]:
    return {span.context.span_id: span for span in finished if span.context is not None}


def _ancestors(span: ReadableSpan, by_id: dict[int, ReadableSpan]) -> list[str]:
    names = []
    while span.parent is not None:
        span = by_id[span.parent.span_id]  # KeyError: a parent that is not in the trace
        names.append(span.name)
    return names


async def test_a_customer_360_is_one_trace_from_router_to_sql(
    spans: tuple[InMemorySpanExporter, Database], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    exporter, traced = spans
    async with wire_platform({name: traced for name in DOMAINS}, SUPERGRAPH) as platform:
        transport = httpx.ASGITransport(app=platform.router_app)
        staff = {"authorization": f"Bearer {platform.credentials.staff_token()}"}
        async with httpx.AsyncClient(
            transport=transport, base_url="http://router", headers=staff
        ) as client:
            response = await client.post(
                "/graphql",
                json={"query": QUERY, "variables": {"id": "1"}},
                headers={"x-request-id": "trace-test-1"},
            )
    body = response.json()
    assert "errors" not in body, body
    assert body["data"]["customer"]["orders"]["nodes"]
    assert response.headers["x-request-id"] == "trace-test-1"

    finished = exporter.get_finished_spans()
    assert len({span.context.trace_id for span in finished if span.context}) == 1
    by_id = _by_id(finished)
    (root,) = [span for span in finished if span.parent is None]
    assert root.name == "router.request"
    assert root.attributes is not None
    assert root.attributes["graphql.operation.name"] == "Customer360"
    assert root.attributes["router.fetch_count"] == 5
    # the access lines of the router and of each subgraph name the trace and the request
    trace_id = format(root.context.trace_id, "032x")
    access = [r for r in caplog.records if r.name in ("router.access", "subgraphs.access")]
    assert len(access) == 1 + len(DOMAINS)
    assert {(r.__dict__["trace_id"], r.__dict__["request_id"]) for r in access} == {
        (trace_id, "trace-test-1")
    }

    names = [span.name for span in finished]
    for stage in ("graphql.parse_validate", "graphql.plan", "router.shape_response"):
        (stage_span,) = [span for span in finished if span.name == stage]
        assert _ancestors(stage_span, by_id) == ["router.request"]

    fetches = [span for span in finished if span.name.startswith("fetch ")]
    assert sorted(span.name for span in fetches) == sorted(f"fetch {name}" for name in DOMAINS)
    for fetch in fetches:
        assert fetch.attributes is not None
        assert fetch.attributes["graphql.operation.name"] == "Customer360"
        if fetch.name != "fetch customers":  # entity fetches say how many they sent
            assert int(str(fetch.attributes["graphql.entity_count"])) >= 1
    # each subgraph's server span is a child of the router's fetch span for it
    for name in DOMAINS:
        (server,) = [span for span in finished if span.name == f"subgraph {name}"]
        assert _ancestors(server, by_id) == [f"fetch {name}", "router.request"]
    resolver = next(span for span in finished if span.name == "resolve Query.customer")
    assert _ancestors(resolver, by_id)[:2] == ["subgraph customers", "fetch customers"]
    statements = [s for s in finished if s.attributes and "db.statement" in s.attributes]
    assert statements, names
    chains = [_ancestors(statement, by_id) for statement in statements]
    for chain in chains:  # every statement: under a subgraph's span, under the router's
        assert chain[-1] == "router.request"
        assert chain[-3].startswith("subgraph ") and chain[-2] == "fetch " + chain[-3][9:], chain
    # the customer's own row is read under its root resolver (nested fields' statements,
    # e.g. Customer.orders, sit directly under their subgraph's span: only root fields
    # have spans of their own)
    assert ["resolve Query.customer", "subgraph customers"] in [chain[:2] for chain in chains]
