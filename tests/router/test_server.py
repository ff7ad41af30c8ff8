"""The HTTP server: spec status codes, content negotiation, GraphiQL, plans, health."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
import strawberry
from strawberry.asgi import GraphQL
from strawberry.federation import Schema

from router.pipeline import Router
from router.request import GraphQLRequest
from router.server import create_app
from tests.fleet.apps import fleet_transport

SUPERGRAPH = Path(__file__).resolve().parents[2] / "tests/fixtures/fleet/supergraph.graphql"
GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
TOP_PRODUCTS = "{ topProducts { name inStock reviews { author { username } } } }"

# A one-subgraph supergraph with a mutation (the fleet has none), for the GET/POST rules.
COUNTER_SUPERGRAPH = """
schema
  @link(url: "https://specs.apollo.dev/link/v1.0")
  @link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)
{ query: Query mutation: Mutation }

directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet,
  type: String, external: Boolean, override: String, usedOverridden: Boolean)
  repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION
directive @join__graph(name: String!, url: String!) on ENUM_VALUE
directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false,
  resolvable: Boolean! = true, isInterfaceObject: Boolean! = false)
  repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR
directive @link(url: String, as: String, for: link__Purpose, import: [link__Import])
  repeatable on SCHEMA

scalar join__FieldSet
scalar link__Import
enum link__Purpose { SECURITY EXECUTION }
enum join__Graph { COUNTER @join__graph(name: "counter", url: "http://counter.test/graphql") }

type Query @join__type(graph: COUNTER) { count: Int! }
type Mutation @join__type(graph: COUNTER) { bump: Int! }
"""


@strawberry.type
class CounterQuery:
    count: int


@strawberry.type
class CounterMutation:
    @strawberry.mutation
    def bump(self, info: strawberry.Info) -> int:
        info.root_value.count += 1
        return int(info.root_value.count)


class CounterApp(GraphQL[None, CounterQuery]):
    """The counter subgraph; ``self.state.count`` only changes when a mutation executes."""

    def __init__(self) -> None:
        super().__init__(Schema(query=CounterQuery, mutation=CounterMutation), graphql_ide=None)
        self.state = CounterQuery(count=0)

    async def get_root_value(self, request: Any) -> CounterQuery:
        return self.state


class CrashingRouter(Router):
    """Fault injection: a pipeline bug that escapes ``prepare``."""

    def prepare(self, request: GraphQLRequest, identity: Any = None) -> Any:
        raise RuntimeError("boom inside the pipeline")


class ClosingRouter(Router):
    closed = False

    async def aclose(self) -> None:
        await super().aclose()
        self.closed = True


def fleet_router(cls: type[Router] = Router) -> Router:
    return cls.from_supergraph_sdl(
        SUPERGRAPH.read_text(encoding="utf-8"), transport=fleet_transport()
    )


@asynccontextmanager
async def client_for(router: Router, **options: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A client of ``create_app(router, **options)``, lifespan included."""
    app = create_app(router, **options)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://router") as client,
    ):
        yield client


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(fleet_router()) as client:
        yield client


@pytest.fixture
def counter() -> CounterApp:
    return CounterApp()


@pytest.fixture
async def counter_client(counter: CounterApp) -> AsyncIterator[httpx.AsyncClient]:
    router = Router.from_supergraph_sdl(
        COUNTER_SUPERGRAPH, transport=httpx.ASGITransport(app=counter)
    )
    async with client_for(router) as client:
        yield client


async def post(
    client: httpx.AsyncClient, body: object, accept: str | None = None
) -> httpx.Response:
    headers = {"content-type": "application/json"}
    if accept is not None:
        headers["accept"] = accept
    return await client.post("/graphql", content=orjson.dumps(body), headers=headers)


def codes(response: httpx.Response) -> list[str]:
    return [error["extensions"]["code"] for error in response.json()["errors"]]


@pytest.mark.parametrize(
    ("accept", "content_type"),
    [
        (None, "application/json; charset=utf-8"),
        ("*/*", "application/json; charset=utf-8"),
        ("application/json", "application/json; charset=utf-8"),
        ("application/json, multipart/mixed", "application/json; charset=utf-8"),
        (GRAPHQL_RESPONSE_JSON, f"{GRAPHQL_RESPONSE_JSON}; charset=utf-8"),
        (
            f"{GRAPHQL_RESPONSE_JSON}, application/json;q=0.9",
            f"{GRAPHQL_RESPONSE_JSON}; charset=utf-8",
        ),
    ],
)
async def test_post_query_negotiates_the_content_type(
    client: httpx.AsyncClient, accept: str | None, content_type: str
) -> None:
    response = await post(client, {"query": "{ topProducts(first: 1) { name inStock } }"}, accept)
    assert response.status_code == 200
    assert response.headers["content-type"] == content_type
    assert response.json() == {"data": {"topProducts": [{"name": "Table", "inStock": True}]}}


async def test_post_spanning_query(client: httpx.AsyncClient) -> None:
    response = await post(client, {"query": TOP_PRODUCTS})
    products = response.json()["data"]["topProducts"]
    assert [product["name"] for product in products] == ["Table", "Couch", "Chair"]
    assert products[0]["reviews"][0]["author"] == {"username": "@ada"}


async def test_utf8_request_and_response(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql",
        content='{"query": "{ __type(name: \\"Run🏃Swim🏊\\") { name } }"}'.encode(),
        headers={"content-type": "application/json; charset=utf-8"},
    )
    assert response.status_code == 200
    assert response.json() == {"data": {"__type": None}}


async def test_get_query_with_variables_and_operation_name(client: httpx.AsyncClient) -> None:
    params = {
        "query": "query A { me { name } } query B($n: Int) { topProducts(first: $n) { name } }",
        "variables": '{"n": 2}',
        "operationName": "B",
    }
    response = await client.get("/graphql", params=params)
    assert response.status_code == 200
    assert response.json() == {"data": {"topProducts": [{"name": "Table"}, {"name": "Couch"}]}}


async def test_mutation_over_get_is_405_and_not_executed(
    counter_client: httpx.AsyncClient, counter: CounterApp
) -> None:
    response = await counter_client.get(
        "/graphql", params={"query": "mutation { bump }"}, headers={"accept": GRAPHQL_RESPONSE_JSON}
    )
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert codes(response) == ["METHOD_NOT_ALLOWED"]
    assert counter.state.count == 0


async def test_mutation_over_post_executes(
    counter_client: httpx.AsyncClient, counter: CounterApp
) -> None:
    response = await post(counter_client, {"query": "mutation { bump }"})
    assert response.json() == {"data": {"bump": 1}}
    assert counter.state.count == 1
    query = await counter_client.get("/graphql", params={"query": "{ count }"})
    assert query.json() == {"data": {"count": 1}}


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"query": "{"}, "GRAPHQL_PARSE_FAILED"),
        ({"query": "{ topProducts { unknownField } }"}, "GRAPHQL_VALIDATION_FAILED"),
        (
            {"query": "query Q($n: Int!) { topProducts(first: $n) { name } }", "variables": {}},
            "BAD_USER_INPUT",
        ),
        (
            {
                "query": "query Q($n: Int) { topProducts(first: $n) { name } }",
                "variables": {"n": "x"},
            },
            "BAD_USER_INPUT",
        ),
        ({"query": "query A { me { id } } query B { me { id } }"}, "OPERATION_RESOLUTION_FAILURE"),
    ],
)
@pytest.mark.parametrize(("accept", "status"), [(GRAPHQL_RESPONSE_JSON, 400), (None, 200)])
async def test_graphql_request_errors_follow_the_media_type(
    client: httpx.AsyncClient, body: dict[str, Any], code: str, accept: str | None, status: int
) -> None:
    response = await post(client, body, accept)
    assert response.status_code == status
    assert "data" not in response.json()
    assert codes(response) == [code]


@pytest.mark.parametrize(
    ("method", "headers", "content", "status", "code"),
    [
        ("POST", {}, b'{"query": "{ me { id } }"}', 415, "UNSUPPORTED_MEDIA_TYPE"),
        (
            "POST",
            {"content-type": "text/plain"},
            b'{"query": "{ me { id } }"}',
            415,
            "UNSUPPORTED_MEDIA_TYPE",
        ),
        ("POST", {"content-type": "application/json"}, b"", 400, "BAD_REQUEST"),
        ("POST", {"content-type": "application/json"}, b'{ "not a JSON', 400, "BAD_REQUEST"),
        ("POST", {"content-type": "application/json"}, b'{"qeury": "{ a }"}', 400, "BAD_REQUEST"),
        (
            "POST",
            {"content-type": "application/json"},
            b'{"query": "{ me { id } }", "variables": "string"}',
            400,
            "BAD_REQUEST",
        ),
        (
            "POST",
            {"content-type": "application/json", "accept": "text/html"},
            b"{}",
            406,
            "NOT_ACCEPTABLE",
        ),
        ("GET", {"accept": "application/xml"}, b"", 406, "NOT_ACCEPTABLE"),
        (
            "PUT",
            {"content-type": "application/json"},
            b'{"query": "{ me { id } }"}',
            405,
            "METHOD_NOT_ALLOWED",
        ),
        ("DELETE", {}, b"", 405, "METHOD_NOT_ALLOWED"),
    ],
)
async def test_malformed_http_requests(
    client: httpx.AsyncClient,
    method: str,
    headers: dict[str, str],
    content: bytes,
    status: int,
    code: str,
) -> None:
    response = await client.request(method, "/graphql", headers=headers, content=content)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert codes(response) == [code]
    if status == 405:
        assert response.headers["allow"] == "GET, POST"


async def test_oversized_body_is_413_with_or_without_content_length() -> None:
    body = orjson.dumps({"query": "{ me { id } }", "extensions": {"pad": "x" * 100}})

    async def chunks() -> AsyncIterator[bytes]:
        yield body[:50]
        yield body[50:]

    async with client_for(fleet_router(), max_body_bytes=64) as client:
        headers = {"content-type": "application/json"}
        declared = await client.post("/graphql", content=body, headers=headers)
        streamed = await client.post("/graphql", content=chunks(), headers=headers)
        small = await post(client, {"query": "{ me { id } }"})
    assert "content-length" not in streamed.request.headers
    for response in (declared, streamed):
        assert response.status_code == 413
        assert codes(response) == ["PAYLOAD_TOO_LARGE"]
    assert small.json() == {"data": {"me": {"id": "1"}}}


@pytest.mark.parametrize(
    "params", [{}, {"query": "{ me { id } }", "variables": "{oops"}], ids=["missing", "json"]
)
async def test_bad_get_parameters_are_400(
    client: httpx.AsyncClient, params: dict[str, str]
) -> None:
    response = await client.get("/graphql", params=params, headers={"accept": "application/json"})
    assert response.status_code == 400
    assert codes(response) == ["BAD_REQUEST"]


async def test_pipeline_failure_is_a_graphql_error_not_a_500(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with client_for(fleet_router(CrashingRouter)) as client:
        response = await post(client, {"query": "{ me { id } }"}, GRAPHQL_RESPONSE_JSON)
    assert response.status_code == 200
    assert response.json() == {
        "data": None,
        "errors": [
            {"message": "Internal server error.", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}
        ],
    }
    assert "boom inside the pipeline" in caplog.text
    assert "boom" not in response.text


async def test_unreachable_subgraph_is_a_graphql_error() -> None:
    router = Router.from_supergraph_sdl(
        SUPERGRAPH.read_text(encoding="utf-8"),
        transport=fleet_transport(),
        subgraph_urls={"accounts": "http://127.0.0.1:9/graphql"},
    )
    async with client_for(router) as client:
        response = await post(client, {"query": "{ me { name } }"}, GRAPHQL_RESPONSE_JSON)
    assert response.status_code == 200
    payload = response.json()
    assert payload["data"] in (None, {"me": None})
    assert payload["errors"]


@pytest.mark.parametrize(
    "header", [("X-Query-Plan", "true"), ("Apollo-Query-Plan-Experimental", "1")]
)
async def test_query_plan_header_adds_the_plan(
    client: httpx.AsyncClient, header: tuple[str, str]
) -> None:
    response = await client.post("/graphql", json={"query": TOP_PRODUCTS}, headers=dict([header]))
    payload = response.json()
    plan = payload["extensions"]["queryPlan"]
    assert plan.startswith("QueryPlan {\n  Sequence {")
    assert 'Fetch(service: "products")' in plan
    assert 'Fetch(service: "accounts")' not in plan
    assert payload["data"]["topProducts"][0]["name"] == "Table"


async def test_no_plan_without_the_header(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": TOP_PRODUCTS})
    assert "extensions" not in response.json()


async def test_plans_can_be_hidden() -> None:
    async with client_for(fleet_router(), query_plans=False) as client:
        response = await client.post(
            "/graphql", json={"query": TOP_PRODUCTS}, headers={"X-Query-Plan": "true"}
        )
    assert "extensions" not in response.json()
    assert response.json()["data"]["topProducts"][0]["name"] == "Table"


async def test_browser_get_serves_graphiql(client: httpx.AsyncClient) -> None:
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = await client.get(
        "/graphql", params={"query": "{ me { id } }"}, headers={"accept": accept}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert 'data-endpoint="/graphql"' in response.text


async def test_graphiql_can_be_disabled() -> None:
    async with client_for(fleet_router(), graphiql=False) as client:
        page = await client.get("/graphql", headers={"accept": "text/html"})
        asset = await client.get("/graphiql/static/graphiql.min.js")
    assert page.status_code == 406
    assert asset.status_code == 404


async def test_health(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "pid": os.getpid()}


async def test_lifespan_closes_the_router() -> None:
    router = fleet_router(ClosingRouter)
    assert isinstance(router, ClosingRouter)
    app = create_app(router)
    async with app.router.lifespan_context(app):
        assert not router.closed
    assert router.closed
