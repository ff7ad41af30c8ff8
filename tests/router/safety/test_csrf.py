"""CSRF prevention as Apollo Router: simple requests need a preflight header, others pass;
consistent with CORS (an allowed origin's preflight admits the preflight header)."""

from __future__ import annotations

import httpx
import pytest

from router.cors import CorsPolicy
from router.csrf import CsrfConfig, CsrfPrevention
from router.server import create_app
from tests.router.safety.support import QUERY, fleet_client
from tests.router.test_graphiql import fleet_router

BODY = '{"query": "' + QUERY + '"}'


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "text/plain",
        "text/plain; charset=utf-8",
        "multipart/form-data; boundary=x",
        "application/x-www-form-urlencoded",
        "",
    ],
)
async def test_a_simple_post_without_a_preflight_header_is_refused(
    content_type: str | None,
) -> None:
    headers = {} if content_type is None else {"content-type": content_type}
    async with fleet_client(csrf=CsrfPrevention()) as client:
        response = await client.post("/graphql", content=BODY, headers=headers)
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "CSRF_ERROR"
    assert "apollo-require-preflight" in error["message"]


async def test_a_get_without_a_preflight_header_is_refused_and_runs_nothing() -> None:
    mutation = "mutation { __typename }"
    async with fleet_client(csrf=CsrfPrevention()) as client:
        query = await client.get("/graphql", params={"query": QUERY})
        # refused as CSRF before the method check would say 405
        refused_mutation = await client.get("/graphql", params={"query": mutation})
    assert (
        query.status_code == 400 and query.json()["errors"][0]["extensions"]["code"] == "CSRF_ERROR"
    )
    assert refused_mutation.json()["errors"][0]["extensions"]["code"] == "CSRF_ERROR"


@pytest.mark.parametrize(
    "headers",
    [
        {"apollo-require-preflight": "true"},
        {"x-apollo-operation-name": "TopProducts"},
        {"content-type": "application/json"},  # a non-simple type: the browser preflighted
    ],
)
async def test_a_get_with_a_preflight_header_or_json_type_runs(headers: dict[str, str]) -> None:
    async with fleet_client(csrf=CsrfPrevention()) as client:
        response = await client.get("/graphql", params={"query": QUERY}, headers=headers)
    assert response.status_code == 200
    assert response.json()["data"]["topProducts"]


async def test_a_json_post_and_graphiql_page_need_nothing() -> None:
    async with fleet_client(csrf=CsrfPrevention()) as client:
        post = await client.post("/graphql", json={"query": QUERY})
        page = await client.get("/graphql", headers={"accept": "text/html"})
    assert post.json()["data"]["topProducts"]
    assert page.status_code == 200 and "<html" in page.text.lower()


async def test_an_empty_preflight_header_does_not_count() -> None:
    async with fleet_client(csrf=CsrfPrevention()) as client:
        response = await client.get(
            "/graphql", params={"query": QUERY}, headers={"apollo-require-preflight": " "}
        )
    assert response.status_code == 400


async def test_custom_required_headers_from_the_config() -> None:
    csrf = CsrfPrevention.from_config(CsrfConfig(required_headers=["X-Csrf-Token"]))
    assert CsrfPrevention.from_config(CsrfConfig(enabled=False)) is None
    async with fleet_client(csrf=csrf) as client:
        apollo = await client.get(
            "/graphql", params={"query": QUERY}, headers={"apollo-require-preflight": "1"}
        )
        custom = await client.get(
            "/graphql", params={"query": QUERY}, headers={"x-csrf-token": "1"}
        )
    assert apollo.status_code == 400
    assert custom.status_code == 200


async def test_an_allowed_origins_preflight_admits_the_preflight_header() -> None:
    app = create_app(
        fleet_router(), cors=CorsPolicy.parse(["https://shop.example.com"]), csrf=CsrfPrevention()
    )
    origin = "https://shop.example.com"
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://router") as client,
    ):
        preflight = await client.options(
            "/graphql",
            headers={
                "origin": origin,
                "access-control-request-method": "GET",
                "access-control-request-headers": "apollo-require-preflight",
            },
        )
        answer = await client.get(
            "/graphql",
            params={"query": QUERY},
            headers={"origin": origin, "apollo-require-preflight": "true"},
        )
    assert preflight.status_code == 200
    assert "apollo-require-preflight" in preflight.headers["access-control-allow-headers"].lower()
    assert answer.headers["access-control-allow-origin"] == origin
    assert answer.json()["data"]["topProducts"]
