"""CORS: an allowlisted web origin may call the router from a browser; no other may."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from router.cors import CorsPolicy
from router.server import create_app
from tests.router.test_graphiql import fleet_router

QUERY = '{"query": "{ topProducts { name } }"}'


def preflight(origin: str, headers: str = "content-type") -> dict[str, str]:
    """What a browser sends before a cross-origin JSON POST."""
    return {
        "origin": origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": headers,
    }


@pytest.fixture
def policy(request: pytest.FixtureRequest) -> CorsPolicy | None:
    return getattr(request, "param", CorsPolicy.parse(["https://shop.example.com", "localhost"]))


@pytest.fixture
async def client(policy: CorsPolicy | None) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(fleet_router(), cors=policy)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://router") as client,
    ):
        yield client


@pytest.mark.parametrize(
    "origin",
    ["https://shop.example.com", "http://localhost:3000", "http://127.0.0.1:5173", "http://[::1]"],
)
async def test_an_allowed_origin_passes_the_preflight_and_reads_the_answer(
    client: httpx.AsyncClient, origin: str
) -> None:
    response = await client.options(
        "/graphql", headers=preflight(origin, "content-type, authorization, x-query-plan")
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == origin
    assert set(response.headers["access-control-allow-methods"].split(", ")) == {"GET", "POST"}
    allowed = response.headers["access-control-allow-headers"].lower()
    assert {"content-type", "authorization", "x-query-plan"} <= set(allowed.split(", "))
    answer = await client.post(
        "/graphql",
        content=QUERY,
        headers={"origin": origin, "content-type": "application/json"},
    )
    assert answer.json()["data"]["topProducts"]
    assert answer.headers["access-control-allow-origin"] == origin
    assert "Origin" in answer.headers["vary"]


@pytest.mark.parametrize(
    "origin",
    ["https://evil.example.com", "http://shop.example.com", "http://localhost.evil.com:3000"],
)
async def test_any_other_origin_is_refused(client: httpx.AsyncClient, origin: str) -> None:
    response = await client.options("/graphql", headers=preflight(origin))
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers
    answer = await client.post(
        "/graphql", content=QUERY, headers={"origin": origin, "content-type": "application/json"}
    )
    assert "access-control-allow-origin" not in answer.headers


@pytest.mark.parametrize("policy", [None, CorsPolicy()], indirect=True)
async def test_without_a_policy_there_is_no_cors(client: httpx.AsyncClient) -> None:
    response = await client.options("/graphql", headers=preflight("http://localhost:3000"))
    assert response.status_code == 405
    assert "access-control-allow-origin" not in response.headers


def test_policy_parsing() -> None:
    policy = CorsPolicy.parse(["https://A.example.com/, http://b.example.com:8080", "localhost"])
    assert policy == CorsPolicy(("https://a.example.com", "http://b.example.com:8080"), True)
    assert CorsPolicy.parse([""]) == CorsPolicy()
    for bad in ("*", "a.example.com", "https://a.example.com/path"):
        with pytest.raises(ValueError, match="not scheme://host"):
            CorsPolicy.parse([bad])
