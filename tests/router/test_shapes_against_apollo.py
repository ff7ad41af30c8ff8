"""The shapes subgraphs (shared root value types, value types below entities, per-subgraph
field types, conflicting response keys, partial unions) against a live Apollo Gateway over
the same subgraphs and supergraph: same JSON, no more subgraph requests. Needs Node."""

from __future__ import annotations

import asyncio
import contextlib
import json
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from router.pipeline import PreparedOperation, Router
from router.request import GraphQLRequest
from tests.fleet.record import started
from tests.peers import PEERS_DIR, needs_node
from tests.router.shapes.apps import QUERIES, VARIABLES, shapes_fixture, shapes_transport

pytestmark = [pytest.mark.node, needs_node]

SUBGRAPH_PORT = 15221  # alpha; beta follows
GATEWAY_PORT = 15220


@contextlib.contextmanager
def apollo_gateway(supergraph: str) -> Iterator[str]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "supergraph.graphql"
        path.write_text(supergraph, encoding="utf-8")
        script = PEERS_DIR / "gateway.mjs"
        args = ["node", str(script), "--supergraph", str(path), "--port", str(GATEWAY_PORT)]
        with started(args, cwd=PEERS_DIR) as url:
            yield url


@pytest.fixture(scope="module")
async def apollo() -> AsyncIterator[str]:
    supergraph, apps = shapes_fixture(SUBGRAPH_PORT)
    servers = [
        uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=SUBGRAPH_PORT + i, log_level="warning")
        )
        for i, app in enumerate(apps.values())
    ]
    tasks = [asyncio.create_task(server.serve()) for server in servers]
    while not all(server.started for server in servers):
        await asyncio.sleep(0.01)
    try:
        with apollo_gateway(supergraph) as url:
            yield url
    finally:
        for server in servers:
            server.should_exit = True
        await asyncio.gather(*tasks)


async def ask_apollo(url: str, query: str) -> tuple[dict[str, Any], int]:
    headers = {"Apollo-Query-Plan-Experimental": "1"}
    async with httpx.AsyncClient() as client:
        payload = {"query": query, "variables": VARIABLES.get(query)}
        body = (await client.post(url, json=payload, headers=headers)).json()
    plan = body.pop("extensions", {}).get("__queryPlanExperimental") or ""
    return body, plan.count("Fetch(")


async def ask_router(query: str) -> tuple[dict[str, Any], int]:
    supergraph, _ = shapes_fixture()
    transport = shapes_transport()
    router = Router.from_supergraph_sdl(supergraph, transport=transport)
    try:
        prepared = router.prepare(GraphQLRequest(query, variables=VARIABLES.get(query)))
        assert isinstance(prepared, PreparedOperation), prepared
        return await router.execute(prepared), sum(transport.requests.values())
    finally:
        await router.aclose()


@pytest.mark.parametrize("query", QUERIES)
async def test_same_answer_and_no_more_fetches(apollo: str, query: str) -> None:
    expected, apollo_fetches = await ask_apollo(apollo, query)
    body, fetches = await ask_router(query)
    assert json.dumps(body) == json.dumps(expected)
    assert fetches <= apollo_fetches
