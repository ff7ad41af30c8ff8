"""``/health`` is liveness; ``/health/ready`` probes every subgraph of the real platform."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from starlette.responses import PlainTextResponse

from models.database import Database
from platform_cli.dev import Platform, wire_platform
from subgraphs.registry import DOMAINS, local_url

SUPERGRAPH = Path(__file__).resolve().parents[2] / "schema.graphql"


@pytest.fixture
async def platform(database: Database) -> AsyncIterator[Platform]:
    async with wire_platform({name: database for name in DOMAINS}, SUPERGRAPH.read_text()) as p:
        yield p


@pytest.fixture
async def client(platform: Platform) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=platform.router_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://router") as client:
        yield client


async def test_ready_lists_every_subgraph_with_its_latency(
    platform: Platform, client: httpx.AsyncClient
) -> None:
    before = platform.router.clients.requests_sent
    response = await client.get("/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert sorted(body["subgraphs"]) == sorted(DOMAINS)
    for name, status in body["subgraphs"].items():
        assert status["url"] == local_url(name)
        assert status["reachable"] is True
        assert status["latencyMs"] >= 0
        assert "error" not in status
    assert platform.router.clients.requests_sent - before == len(DOMAINS)  # one probe each


async def test_a_subgraph_down_makes_ready_503_while_health_stays_ok(
    platform: Platform, client: httpx.AsyncClient
) -> None:
    platform.transport.unmount(local_url("inventory"))
    health = await client.get("/health")
    ready = await client.get("/health/ready")
    assert health.status_code == 200 and health.json() == {"status": "ok", "pid": os.getpid()}
    assert ready.status_code == 503
    body = ready.json()
    assert body["status"] == "unavailable"
    down = {name for name, status in body["subgraphs"].items() if not status["reachable"]}
    assert down == {"inventory"}
    assert "nothing is mounted" in body["subgraphs"]["inventory"]["error"]


async def test_a_subgraph_answering_no_graphql_is_not_ready(
    platform: Platform, client: httpx.AsyncClient
) -> None:
    platform.transport.mount(local_url("marketing"), PlainTextResponse("oops", status_code=502))
    body = (await client.get("/health/ready")).json()
    assert body["subgraphs"]["marketing"]["reachable"] is False
    assert "HTTP 502" in body["subgraphs"]["marketing"]["error"]
