"""The shop (interfaces, unions, several keys, @override, @requires, mutations) against a live
Apollo Gateway: same JSON, no more subgraph requests. Needs Node and the peers tools."""

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
from tests.router.shop.apps import BASE_PORT, SUPERGRAPH, reset, shop_apps, shop_transport

pytestmark = [
    pytest.mark.node,
    needs_node,
]

SHOP_PORT = 14261  # catalog; reviews and inventory follow
GATEWAY_PORT = 14260
QUERIES = [
    "{ media { __typename id title ... on Book { pages stock rating shelfWidth } "
    "... on Movie { minutes movieRating: rating } } }",
    '{ search(term: "*") { ... on Media { title } ... on Book { rating } '
    "... on Author { name followers } ... on Movie { minutes } } }",
    '{ search(term: "e") { __typename ... on Book { id stock } } }',
    "{ topAuthor { id name followers handle } }",
    "{ media { ... on Book { title coverArea shelfWidth dimensions { width } } } }",
    '{ author(id: "a1") { followers name } author2: author(id: "a2") { handle } }',
    "{ media { id ... on Movie { rating } } bookCount }",
    'mutation { a: rename(id: "b1", title: "Dune II") { title } b: addRating(id: "m1", rating: 2) '
    'c: rename(id: "m1", title: "Aliens") { id title ... on Movie { rating } } }',
]


@contextlib.contextmanager
def apollo_over_the_shop() -> Iterator[str]:
    local = SUPERGRAPH
    for offset in range(3):
        local = local.replace(f"127.0.0.1:{BASE_PORT + offset}", f"127.0.0.1:{SHOP_PORT + offset}")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "supergraph.graphql"
        path.write_text(local, encoding="utf-8")
        script = PEERS_DIR / "gateway.mjs"
        args = ["node", str(script), "--supergraph", str(path), "--port", str(GATEWAY_PORT)]
        with started(args, cwd=PEERS_DIR) as url:
            yield url


@pytest.fixture(scope="module")
async def apollo() -> AsyncIterator[str]:
    servers = [
        uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=SHOP_PORT + i, log_level="warning")
        )
        for i, app in enumerate(shop_apps().values())
    ]
    tasks = [asyncio.create_task(server.serve()) for server in servers]
    while not all(server.started for server in servers):
        await asyncio.sleep(0.01)
    try:
        with apollo_over_the_shop() as url:
            yield url
    finally:
        for server in servers:
            server.should_exit = True
        await asyncio.gather(*tasks)


async def ask_apollo(url: str, query: str) -> tuple[dict[str, Any], int]:
    headers = {"Apollo-Query-Plan-Experimental": "1"}
    async with httpx.AsyncClient() as client:
        body = (await client.post(url, json={"query": query}, headers=headers)).json()
    plan = body.pop("extensions", {}).get("__queryPlanExperimental") or ""
    return body, plan.count("Fetch(")


async def ask_router(query: str) -> tuple[dict[str, Any], int]:
    transport = shop_transport()
    router = Router.from_supergraph_sdl(SUPERGRAPH, transport=transport)
    try:
        prepared = router.prepare(GraphQLRequest(query))
        assert isinstance(prepared, PreparedOperation)
        return await router.execute(prepared), sum(transport.requests.values())
    finally:
        await router.aclose()


@pytest.mark.parametrize("query", QUERIES)
async def test_same_answer_and_no_more_fetches(apollo: str, query: str) -> None:
    reset()
    expected, apollo_fetches = await ask_apollo(apollo, query)
    reset()
    body, fetches = await ask_router(query)
    assert json.dumps(body) == json.dumps(expected)
    assert fetches <= apollo_fetches
