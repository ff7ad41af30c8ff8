"""Subgraph HTTP: the asyncio HTTP/1.1 pool against a real server on 127.0.0.1, and failures."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import uvicorn

from router.subgraph_client import SubgraphClients, SubgraphRequestError

PORT = 14241
REFUSED = 14242


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """/echo answers the GraphQL body it got; the other paths misbehave on purpose."""
    if scope["type"] != "http":
        return
    request = b""
    while True:
        message = await receive()
        request += message.get("body", b"")
        if not message.get("more_body"):
            break
    path = scope["path"]
    if path == "/slow":
        await asyncio.sleep(2)
    if path == "/broken":
        await send({"type": "http.response.start", "status": 500, "headers": []})
        await send({"type": "http.response.body", "body": b"Internal Server Error"})
        return
    payload = json.dumps({"data": {"echo": json.loads(request)}}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    if path == "/chunked":  # no content-length: uvicorn streams it chunked
        half = len(payload) // 2
        await send({"type": "http.response.body", "body": payload[:half], "more_body": True})
        await send({"type": "http.response.body", "body": payload[half:]})
    else:
        await send({"type": "http.response.body", "body": payload})


@pytest.fixture(scope="module")
async def server() -> AsyncIterator[str]:
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=PORT,
        log_level="warning",
        lifespan="off",
        timeout_keep_alive=1,  # the server drops idle connections after a second
    )
    instance = uvicorn.Server(config)
    task = asyncio.create_task(instance.serve())
    while not instance.started:
        await asyncio.sleep(0.01)
    yield f"http://127.0.0.1:{PORT}"
    instance.should_exit = True
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def fetch(urls: dict[str, str], name: str, timeout: float = 5.0) -> dict[str, Any]:
    clients = SubgraphClients(urls, timeout=timeout)
    try:
        return await clients.fetch(name, "{ a }", {"v": 1})
    finally:
        await clients.aclose()


async def test_post_and_keep_alive(server: str) -> None:
    clients = SubgraphClients({"echo": f"{server}/echo"})
    try:
        answers = await asyncio.gather(
            *(clients.fetch("echo", "{ a }", {"i": i}) for i in range(30))
        )
        again = await clients.fetch("echo", "{ b }", None)
    finally:
        await clients.aclose()
    assert [a["data"]["echo"]["variables"]["i"] for a in answers] == list(range(30))
    assert again == {"data": {"echo": {"query": "{ b }"}}}
    assert clients.requests_sent == 31


async def test_connection_closed_by_the_server_while_idle_is_replaced(server: str) -> None:
    clients = SubgraphClients({"echo": f"{server}/echo"})
    try:
        first = await clients.fetch("echo", "{ a }", None)
        await asyncio.sleep(1.5)  # past the server's keep-alive timeout
        second = await clients.fetch("echo", "{ b }", None)
    finally:
        await clients.aclose()
    assert (first["data"]["echo"]["query"], second["data"]["echo"]["query"]) == ("{ a }", "{ b }")


async def test_chunked_response(server: str) -> None:
    answer = await fetch({"s": f"{server}/chunked"}, "s")
    assert answer["data"]["echo"] == {"query": "{ a }", "variables": {"v": 1}}


@pytest.mark.parametrize(
    ("path", "timeout", "reason"),
    [
        ("/broken", 5.0, "invalid response from subgraph: HTTP 500, the body is not JSON"),
        ("/slow", 0.2, "the request timed out"),
    ],
)
async def test_failures(server: str, path: str, timeout: float, reason: str) -> None:
    with pytest.raises(SubgraphRequestError) as raised:
        await fetch({"s": f"{server}{path}"}, "s", timeout)
    assert raised.value.message == reason
    assert raised.value.service_name == "s"


async def test_refused_connection() -> None:
    with pytest.raises(SubgraphRequestError, match="request failed"):
        await fetch({"s": f"http://127.0.0.1:{REFUSED}/graphql"}, "s")


async def test_unknown_subgraph() -> None:
    with pytest.raises(SubgraphRequestError, match="unknown subgraph"):
        await fetch({"s": "http://127.0.0.1:1/graphql"}, "other")


@pytest.mark.parametrize(
    "response",
    [
        b"HTTP/1.1 abc OK\r\ncontent-length: 2\r\n\r\n{}",
        b"HTTP/1.1 200 OK\r\ncontent-length: lots\r\n\r\n{}",
        b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n",
        b"HTTP/1.1 200 OK\r\nx-huge: " + b"a" * 70_000 + b"\r\n\r\n",
        b"SMTP ready\r\n",
    ],
)
async def test_malformed_responses_are_subgraph_errors(response: bytes) -> None:
    """Whatever a broken peer sends, the router gets a SubgraphRequestError to report."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(response)
        await writer.drain()
        writer.close()

    listener = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    try:
        with pytest.raises(SubgraphRequestError, match="request failed"):
            await fetch({"s": f"http://127.0.0.1:{port}/graphql"}, "s")
    finally:
        listener.close()
        await listener.wait_closed()
