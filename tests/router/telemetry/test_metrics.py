"""``/metrics`` of the router and of each subgraph after real traffic through the platform
(router and in-process subgraphs): the named series, with the values the traffic implies."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from models.database import Database
from models.seed import generate
from platform_cli.dev import Platform, wire_platform
from router.telemetry.metrics import RouterMetrics
from router.telemetry.record import RequestRecord
from subgraphs.registry import DOMAINS
from tests.conftest import TEST_SCALE

ROOT = Path(__file__).resolve().parents[3]
SUPERGRAPH = (ROOT / "schema.graphql").read_text(encoding="utf-8")
CUSTOMER_360 = (ROOT / "bench" / "queries" / "customer-360.graphql").read_text(encoding="utf-8")
PLACE = "mutation Place($input: PlaceOrderInput!) { placeOrder(input: $input) { id status } }"
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def samples(text: str) -> Samples:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(found: Samples, name: str, **labels: str) -> float:
    return found[(name, tuple(sorted(labels.items())))]


@pytest.fixture
async def platform(database: Database) -> AsyncIterator[tuple[Platform, httpx.AsyncClient]]:
    async with wire_platform({name: database for name in DOMAINS}, SUPERGRAPH) as wired:
        transport = httpx.ASGITransport(app=wired.router_app)
        staff = {"authorization": f"Bearer {wired.credentials.staff_token()}"}
        async with httpx.AsyncClient(
            transport=transport, base_url="http://router", headers=staff
        ) as client:
            yield wired, client


async def _subgraph_metrics(platform: Platform, name: str) -> Samples:
    transport = httpx.ASGITransport(app=platform.subgraph_apps[name])
    async with httpx.AsyncClient(transport=transport, base_url="http://subgraph") as client:
        response = await client.get("/metrics")
    assert response.status_code == 200
    return samples(response.text)


async def test_router_metrics_after_traffic(
    platform: tuple[Platform, httpx.AsyncClient],
) -> None:
    _, client = platform
    for customer in ("1", "2", "3"):
        body = {"query": CUSTOMER_360, "variables": {"id": customer}}
        assert "errors" not in (await client.post("/graphql", json=body)).json()
    broken = {"query": "query Broken { nope }", "operationName": "Broken"}
    invalid = await client.post("/graphql", json=broken)
    assert invalid.json()["errors"]  # application/json: 200 with the validation error
    response = await client.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain; version=")
    found = samples(response.text)

    assert value(found, "router_requests_total", operation="Customer360") == 3
    assert value(found, "router_request_errors_total", operation="Customer360") == 0
    assert value(found, "router_requests_total", operation="Broken") == 1
    assert value(found, "router_request_errors_total", operation="Broken") == 1
    count = value(found, "router_request_duration_seconds_count", operation="Customer360")
    seconds = value(found, "router_request_duration_seconds_sum", operation="Customer360")
    assert count == 3 and 0 < seconds < 30
    assert value(found, "router_request_duration_seconds_bucket", operation="Customer360",
                 le="+Inf") == 3  # fmt: skip
    assert value(found, "router_requests_in_flight") == 0
    # the first customer-360 was planned, the next two found their plan
    assert value(found, "router_plan_cache_misses_total") == 1
    assert value(found, "router_plan_cache_hits_total") == 2
    for name in DOMAINS:  # customer-360 fetches once from every subgraph
        assert value(found, "router_subgraph_requests_total", subgraph=name) == 3
        assert value(found, "router_subgraph_request_errors_total", subgraph=name) == 0
        latency = value(found, "router_subgraph_request_duration_seconds_sum", subgraph=name)
        assert 0 < latency < seconds
    # the in-process subgraphs have no connection pool: the family is there, empty
    assert "# TYPE router_subgraph_connections gauge" in response.text


async def test_subgraph_metrics_after_traffic(
    platform: tuple[Platform, httpx.AsyncClient],
) -> None:
    wired, client = platform
    before = await _subgraph_metrics(wired, "orders")
    backlog_before = value(before, "subgraph_outbox_backlog", subgraph="orders")
    customers_before = await _subgraph_metrics(wired, "customers")
    customers_backlog = value(customers_before, "subgraph_outbox_backlog", subgraph="customers")
    listed = next(p.id for p in generate.products(TEST_SCALE) if p.status == "LISTED")
    order = {
        "customerId": "7",
        "idempotencyKey": f"metrics-{uuid.uuid4().hex[:12]}",
        "lines": [{"productId": str(listed), "quantity": 1}],
    }
    placed = await client.post("/graphql", json={"query": PLACE, "variables": {"input": order}})
    assert "errors" not in placed.json(), placed.json()
    body = {"query": CUSTOMER_360, "variables": {"id": "4"}}
    assert "errors" not in (await client.post("/graphql", json=body)).json()

    orders = await _subgraph_metrics(wired, "orders")
    # the router's fetches are anonymous: the label is the root field
    assert value(orders, "subgraph_requests_total", subgraph="orders", operation="placeOrder") == 1
    entities = value(orders, "subgraph_requests_total", subgraph="orders", operation="_entities")
    assert entities >= 1
    # placing the order staged one event; nothing relays it in this platform
    assert value(orders, "subgraph_outbox_backlog", subgraph="orders") == backlog_before + 1
    assert value(orders, "subgraph_requests_in_flight", subgraph="orders") == 0
    customers = await _subgraph_metrics(wired, "customers")
    assert value(customers, "subgraph_requests_total", subgraph="customers",
                 operation="customer") >= 1  # fmt: skip
    latency = value(customers, "subgraph_request_duration_seconds_sum", subgraph="customers",
                    operation="customer")  # fmt: skip
    assert 0 < latency < 30
    # reading a customer stages nothing (other tests of the session may have left events)
    assert value(customers, "subgraph_outbox_backlog", subgraph="customers") == customers_backlog
    pool = [key for key in customers if key[0] == "subgraph_db_pool_connections"]
    for key in pool:  # a queue pool (PostgreSQL, SQLite files): nothing checked out now
        if ("state", "checked_out") in key[1]:
            assert customers[key] == 0


def test_operation_labels_are_bounded() -> None:
    metrics = RouterMetrics(known_operations=["Listed"], max_operation_names=2)
    labels = [
        metrics.observe(RequestRecord("r", operation_name=name), 200, 0.01)
        for name in ("First", "Second", "Third", "Listed", None, "First")
    ]
    assert labels == ["First", "Second", "(other)", "Listed", "(anonymous)", "First"]
    found = samples(metrics.render().decode())
    assert value(found, "router_requests_total", operation="(other)") == 1
    assert ("router_requests_total", (("operation", "Third"),)) not in found
