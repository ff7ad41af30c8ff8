"""Responses over the threshold are gzipped when the client accepts gzip, and only then."""

from __future__ import annotations

import gzip
from collections.abc import AsyncIterator

import httpx
import orjson
import pytest

from router.compression import DEFAULT_MIN_COMPRESS_BYTES
from router.server import create_app
from tests.router.test_graphiql import fleet_router

# Over the threshold: the fleet's top products, repeated under aliases.
LARGE = "{ " + " ".join(f"a{i}: topProducts {{ upc name price weight }}" for i in range(12)) + " }"
SMALL = "{ topProducts(first: 1) { name } }"


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(fleet_router())
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://router") as client,
    ):
        yield client


async def _wire_bytes(
    client: httpx.AsyncClient, query: str, encoding: str | None
) -> tuple[httpx.Headers, bytes]:
    """The response headers and its body as sent (httpx would decode it otherwise)."""
    request = client.build_request("GET", "/graphql", params={"query": query})
    del request.headers["accept-encoding"]  # httpx's default asks for gzip
    if encoding is not None:
        request.headers["accept-encoding"] = encoding
    response = await client.send(request, stream=True)
    body = b"".join([chunk async for chunk in response.aiter_raw()])
    await response.aclose()
    return response.headers, body


async def test_a_large_answer_is_gzipped_for_a_client_that_accepts_it(
    client: httpx.AsyncClient,
) -> None:
    plain_headers, plain = await _wire_bytes(client, LARGE, "identity")
    headers, wire = await _wire_bytes(client, LARGE, "gzip, deflate, br")
    assert len(plain) >= DEFAULT_MIN_COMPRESS_BYTES
    assert "content-encoding" not in plain_headers
    assert headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in headers["vary"] and "Accept" in headers["vary"].split(", ")
    assert gzip.decompress(wire) == plain
    assert len(wire) * 3 < len(plain)
    assert orjson.loads(plain)["data"]["a0"]


@pytest.mark.parametrize("encoding", [None, "identity", "br", "deflate"])
async def test_no_gzip_unless_accepted(client: httpx.AsyncClient, encoding: str | None) -> None:
    headers, wire = await _wire_bytes(client, LARGE, encoding)
    assert "content-encoding" not in headers
    assert orjson.loads(wire)["data"]["a0"]


async def test_a_small_answer_is_sent_as_is(client: httpx.AsyncClient) -> None:
    headers, wire = await _wire_bytes(client, SMALL, "gzip")
    assert len(wire) < DEFAULT_MIN_COMPRESS_BYTES
    assert "content-encoding" not in headers
    assert orjson.loads(wire) == {"data": {"topProducts": [{"name": "Table"}]}}


async def test_compression_can_be_turned_off() -> None:
    app = create_app(fleet_router(), compress_min_bytes=None)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://router") as client,
    ):
        headers, _ = await _wire_bytes(client, LARGE, "gzip")
    assert "content-encoding" not in headers
