"""The signed identity over real sockets: the router's HTTP/1.1 pool carries the header to a
production-mode subgraph served by uvicorn on 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn

from router.config import parse_config
from router.pipeline import Router
from router.security.middleware import security_from_config
from router.server import create_app
from subgraphs.common.identity import IDENTITY_HEADER
from tests.router.security.support import (
    WHOAMI_QUERY,
    WHOAMI_SUPERGRAPH,
    CountingApp,
    config_text,
    whoami_subgraph,
)

PORT = 15920


@pytest.fixture
async def subgraph() -> AsyncIterator[CountingApp]:
    app = whoami_subgraph(production=True)
    config = uvicorn.Config(app, host="127.0.0.1", port=PORT, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    yield app
    server.should_exit = True
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def test_the_pool_sends_the_signed_identity(subgraph: CountingApp) -> None:
    router = Router.from_supergraph_sdl(
        WHOAMI_SUPERGRAPH, subgraph_urls={"whoami": f"http://127.0.0.1:{PORT}/graphql"}
    )
    security = security_from_config(parse_config(config_text()), environ={})
    app = create_app(router, security=security)
    transport = httpx.ASGITransport(app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://router") as client,
    ):
        for _ in range(3):  # kept-alive connections carry it on every request
            response = await client.post(
                "/graphql", json={"query": WHOAMI_QUERY}, headers={IDENTITY_HEADER: "forged"}
            )
            assert response.status_code == 200, response.text
            assert json.loads(response.json()["data"]["whoami"])["kind"] == "anonymous"
    assert len(subgraph.requests) == 3
    assert all(sent[IDENTITY_HEADER] != "forged" for sent in subgraph.requests)
    async with httpx.AsyncClient() as direct:  # around the router: refused
        response = await direct.post(
            f"http://127.0.0.1:{PORT}/graphql", json={"query": WHOAMI_QUERY}
        )
    assert response.status_code == 401
