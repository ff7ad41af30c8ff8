"""What the router asks of a subgraph: a deadline header, and a bound on response bytes."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.types import Receive, Scope, Send

from router.pipeline import PreparedOperation, Router
from router.request import GraphQLRequest
from router.subgraph_client import DEADLINE_HEADER, SubgraphClients, SubgraphRequestError
from tests.fleet.apps import fleet_transport

PORT = 15530
BIG = 3 * 1024 * 1024


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    """Answers the request headers it got as data; ``/big`` answers 3 MB (``/chunked``:
    in chunks, without a content-length)."""
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    headers = {name.decode(): value.decode() for name, value in scope["headers"]}
    path = scope["path"]
    padding = "x" * BIG if path in ("/big", "/chunked") else ""
    payload = json.dumps({"data": {"headers": headers, "padding": padding}}).encode()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    if path == "/chunked":
        for offset in range(0, len(payload), 65536):
            chunk = payload[offset : offset + 65536]
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
    else:
        await send({"type": "http.response.body", "body": payload})


@pytest.fixture(scope="module")
async def server() -> AsyncIterator[str]:
    config = uvicorn.Config(app, host="127.0.0.1", port=PORT, log_level="warning", lifespan="off")
    running = uvicorn.Server(config)
    task = asyncio.create_task(running.serve())
    while not running.started:
        await asyncio.sleep(0.01)
    yield f"http://127.0.0.1:{PORT}"
    running.should_exit = True
    await task


def _clients(base: str, path: str, *, asgi: bool, **options: Any) -> SubgraphClients:
    transport = httpx.ASGITransport(app) if asgi else None
    return SubgraphClients({"s": base + path}, transport=transport, **options)


@pytest.mark.parametrize("asgi", [False, True], ids=["http11-pool", "httpx"])
async def test_every_request_carries_the_remaining_budget(server: str, asgi: bool) -> None:
    clients = _clients(server, "/echo", asgi=asgi, timeout=5.0)
    try:
        alone = await clients.fetch("s", "{ a }", None)
        with clients.request_scope(2.0):
            scoped = await clients.fetch("s", "{ a }", None)
    finally:
        await clients.aclose()
    header = DEADLINE_HEADER.lower()
    assert 4000 < int(alone["data"]["headers"][header]) <= 5000  # the subgraph timeout
    assert 1000 < int(scoped["data"]["headers"][header]) <= 2000  # the request's budget


async def test_a_spent_budget_sends_nothing(server: str) -> None:
    clients = _clients(server, "/echo", asgi=False)
    try:
        with clients.request_scope(0.0), pytest.raises(SubgraphRequestError, match="timed out"):
            await clients.fetch("s", "{ a }", None)
        assert clients.requests_sent == 0
    finally:
        await clients.aclose()


@pytest.mark.parametrize(
    ("path", "asgi"),
    [("/big", False), ("/chunked", False), ("/big", True)],
    ids=["content-length", "chunked", "httpx"],
)
async def test_responses_over_the_request_budget_fail(server: str, path: str, asgi: bool) -> None:
    clients = _clients(server, path, asgi=asgi, max_response_bytes=BIG // 2)
    try:
        too_large = pytest.raises(SubgraphRequestError, match="exceed 1572864 bytes")
        with clients.request_scope() as budget, too_large:
            await clients.fetch("s", "{ a }", None)
        assert budget.bytes > BIG // 2
        # a normal answer on the same clients afterwards (a fresh connection if need be)
        normal = _clients(server, "/echo", asgi=asgi, max_response_bytes=BIG // 2)
        assert "data" in await normal.fetch("s", "{ a }", None)
        await normal.aclose()
    finally:
        await clients.aclose()


async def test_the_budget_adds_up_over_a_request(server: str) -> None:
    clients = _clients(server, "/big", asgi=False, max_response_bytes=BIG * 2 + BIG // 2)
    try:
        with clients.request_scope():
            await clients.fetch("s", "{ a }", None)
            await clients.fetch("s", "{ a }", None)
            with pytest.raises(SubgraphRequestError, match="exceed"):
                await clients.fetch("s", "{ a }", None)
        with clients.request_scope():  # a new request starts from zero
            await clients.fetch("s", "{ a }", None)
    finally:
        await clients.aclose()


async def test_a_router_request_over_its_response_budget_answers_an_error() -> None:
    """Nested lists multiply (issue 9, item 8): the request stops at its byte budget."""
    sdl = Path(__file__).resolve().parents[2] / "tests/fixtures/fleet/supergraph.graphql"
    query = "{ topProducts { name reviews { body author { name reviews { body } } } } }"
    answers = []
    for budget in (2**20, 400):
        router = Router.from_supergraph_sdl(
            sdl.read_text(), transport=fleet_transport(), max_response_bytes=budget
        )
        prepared = router.prepare(GraphQLRequest(query))
        assert isinstance(prepared, PreparedOperation)
        answers.append(await router.execute(prepared))
        await router.aclose()
    full, capped = answers
    assert "errors" not in full
    messages = [error["message"] for error in capped["errors"]]
    assert any("the responses to this request exceed 400 bytes" in m for m in messages)
