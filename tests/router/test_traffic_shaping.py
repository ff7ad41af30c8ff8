"""Traffic shaping per subgraph: timeout, max concurrent requests, deduplication of
identical in-flight queries. The subgraph holds its answers until the test opens a gate,
so concurrency is counted, not timed."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import orjson
import pytest

from router.circuit_breaker import BreakerPolicy
from router.config import ConfigError, parse_config
from router.pipeline import Router
from router.retries import RetryPolicy
from router.subgraph_client import (
    SUBGRAPH_REQUEST_HEADERS,
    SubgraphClients,
    SubgraphRequestError,
    SubgraphShaping,
)
from router.traffic_shaping import TrafficShapingConfig, subgraph_shaping
from tests.router.test_demand_control import COST_CASE


class GatedSubgraph:
    """An ASGI subgraph answering ``{"data": {"n": <request number>}}`` once ``gate`` opens;
    counts the requests it got and the most it held at once."""

    def __init__(self) -> None:
        self.gate = asyncio.Event()
        self.requests = 0
        self.active = 0
        self.peak = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        while (await receive()).get("more_body"):
            pass
        self.requests += 1
        number = self.requests
        self.active += 1
        self.peak = max(self.peak, self.active)
        try:
            await self.gate.wait()
        finally:
            self.active -= 1
        body = orjson.dumps({"data": {"n": number}})
        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})


async def settle(condition: Any) -> None:
    """Let the other tasks run until ``condition()`` (a bounded number of loop turns)."""
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("the condition never held")


def clients(subgraph: GatedSubgraph, **rule: Any) -> SubgraphClients:
    return SubgraphClients(
        {"a": "http://a.test/graphql"},
        transport=httpx.ASGITransport(app=subgraph),
        shaping={"a": SubgraphShaping(**rule)},
    )


async def test_max_concurrent_requests_per_subgraph() -> None:
    subgraph = GatedSubgraph()
    client = clients(subgraph, max_concurrent_requests=2)
    tasks = [asyncio.create_task(client.fetch("a", "{ n }", {"i": i})) for i in range(5)]
    await settle(lambda: subgraph.active == 2)
    for _ in range(50):  # the other three stay queued
        await asyncio.sleep(0)
    assert (subgraph.active, subgraph.requests) == (2, 2)
    subgraph.gate.set()
    results = await asyncio.gather(*tasks)
    assert sorted(r["data"]["n"] for r in results) == [1, 2, 3, 4, 5]
    assert subgraph.peak == 2
    await client.aclose()


async def test_identical_queries_in_flight_are_sent_once() -> None:
    subgraph = GatedSubgraph()
    client = clients(subgraph, deduplicate_queries=True)
    same = [asyncio.create_task(client.fetch("a", "{ n }", {"x": 1})) for _ in range(4)]
    other = asyncio.create_task(client.fetch("a", "{ n }", {"x": 2}))  # other variables
    mutation = [asyncio.create_task(client.fetch("a", "mutation { n }", None)) for _ in range(2)]
    await settle(lambda: subgraph.requests == 4)
    subgraph.gate.set()
    results = await asyncio.gather(*same)
    assert {r["data"]["n"] for r in results} == {results[0]["data"]["n"]}
    results[0]["data"]["n"] = "changed"  # each caller has its own copy
    assert results[1]["data"]["n"] != "changed"
    await other
    await asyncio.gather(*mutation)
    assert subgraph.requests == 4  # 1 for the four identical, 1 other, 2 mutations
    assert client.requests_deduplicated == 3
    # once answered, the same query is sent again
    assert (await client.fetch("a", "{ n }", {"x": 1}))["data"]["n"] == 5
    await client.aclose()


async def test_deduplication_never_merges_different_identities() -> None:
    subgraph = GatedSubgraph()
    client = clients(subgraph, deduplicate_queries=True)

    async def as_caller(token: str) -> dict[str, Any]:
        SUBGRAPH_REQUEST_HEADERS.set((("x-router-identity", token),))
        return await client.fetch("a", "{ n }", None)

    tasks = [asyncio.create_task(as_caller(t)) for t in ("alice", "bob", "alice")]
    await settle(lambda: subgraph.requests == 2)
    subgraph.gate.set()
    await asyncio.gather(*tasks)
    assert (subgraph.requests, client.requests_deduplicated) == (2, 1)
    await client.aclose()


async def test_a_subgraph_timeout_of_its_own() -> None:
    subgraph = GatedSubgraph()  # never opens
    client = SubgraphClients(
        {"a": "http://a.test/graphql", "b": "http://b.test/graphql"},
        transport=httpx.ASGITransport(app=subgraph),
        timeout=3600,
        shaping={"a": SubgraphShaping(timeout=0.01)},
    )
    with pytest.raises(SubgraphRequestError, match="timed out"):
        await client.fetch("a", "{ n }", None)
    assert client.shaping["a"].timeout == 0.01 and "b" not in client.shaping
    await client.aclose()


async def test_deduplicated_callers_share_a_failure() -> None:
    subgraph = GatedSubgraph()  # never opens
    client = clients(subgraph, deduplicate_queries=True, timeout=0.01)
    results = await asyncio.gather(
        *(client.fetch("a", "{ n }", None) for _ in range(3)), return_exceptions=True
    )
    assert all(isinstance(r, SubgraphRequestError) for r in results)
    assert subgraph.requests == 1
    await client.aclose()


def test_config_all_then_per_subgraph() -> None:
    text = """
traffic_shaping:
  all: {timeout_seconds: 5, deduplicate_queries: true}
  subgraphs:
    orders: {timeout_seconds: 2, max_concurrent_requests: 50}
"""
    config = parse_config(text).traffic_shaping
    shaping = subgraph_shaping(config, ["orders", "products"])
    assert shaping["orders"] == SubgraphShaping(2, 50, True)
    assert shaping["products"] == SubgraphShaping(5, None, True)
    with pytest.raises(ValueError, match="ordres not in the supergraph"):
        subgraph_shaping(TrafficShapingConfig.model_validate({"subgraphs": {"ordres": {}}}), ["a"])


def test_config_retries_and_circuit_breaker_merge_key_by_key() -> None:
    text = """
traffic_shaping:
  all:
    retries: {max_retries: 3, base_delay_seconds: 0.1}
    circuit_breaker: {failure_threshold: 10}
  subgraphs:
    orders:
      retries: {max_retries: 0}
      circuit_breaker: {cooldown_seconds: 3}
    reviews:
      circuit_breaker: {enabled: false}
"""
    config = parse_config(text).traffic_shaping
    shaping = subgraph_shaping(config, ["orders", "products", "reviews"])
    assert shaping["products"].retries == RetryPolicy(3, 0.1, 0.5)
    assert shaping["products"].circuit_breaker == BreakerPolicy(10, 1.0)
    assert shaping["orders"].retries == RetryPolicy(0, 0.1, 0.5)
    assert shaping["orders"].circuit_breaker == BreakerPolicy(10, 3.0)
    assert shaping["reviews"].circuit_breaker is None
    defaults = subgraph_shaping(TrafficShapingConfig(), ["a"])["a"]
    assert (defaults.retries, defaults.circuit_breaker) == (RetryPolicy(), BreakerPolicy())
    with pytest.raises(ConfigError, match="max_retries"):
        parse_config("traffic_shaping: {all: {retries: {max_retries: -1}}}")


def test_the_router_builds_its_clients_with_the_rules() -> None:
    config = TrafficShapingConfig.model_validate({"subgraphs": {"a": {"timeout_seconds": 1}}})
    router = Router.from_supergraph_sdl(COST_CASE, traffic_shaping=config)
    assert router.clients.shaping["a"] == SubgraphShaping(1, None, False)
