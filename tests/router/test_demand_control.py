"""Demand control: static cost estimates from @cost/@listSize, refusals before any subgraph
is called, and the actual cost counted on the response."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import strawberry
from strawberry.asgi import GraphQL

from router.config import parse_config
from router.demand_control import DemandControl, DemandControlConfig
from router.pipeline import PreparedOperation, Router
from router.request import GraphQLRequest, RequestError
from router.server import create_app
from router.supergraph import Supergraph
from tests.project_access import STAFF

ROOT = Path(__file__).resolve().parents[2]
PROJECT = (ROOT / "schema.graphql").read_text(encoding="utf-8")
# Apollo's composition of `items(first: Int): [Item!]! @listSize(slicingArguments: ["first"])
# @cost(weight: 5)` and `Item.heavy: String @cost(weight: 20)` (recorded with compose.mjs)
COST_CASE = (ROOT / "tests/router/composition/fixtures/valid/cost/supergraph.graphql").read_text(
    encoding="utf-8"
)


def estimate(sdl: str, query: str, variables: dict[str, Any] | None = None) -> float:
    supergraph = Supergraph.from_sdl(sdl)
    control = DemandControl(supergraph.schema, max_cost=10_000, list_size=10)
    router = Router.from_supergraph_sdl(sdl)
    router._preparer.demand_control = control
    prepared = router.prepare(GraphQLRequest(query, variables=variables), STAFF)
    assert isinstance(prepared, PreparedOperation), prepared
    assert prepared.estimated_cost is not None
    return prepared.estimated_cost


def test_connections_are_sized_by_first_or_last_on_edges_and_nodes() -> None:
    # products: an object (1); nodes: 7 x Product (1 each); scalars 0; totalCount @cost(5)
    assert estimate(PROJECT, "{ products(first: 7) { nodes { id name } totalCount } }") == 13
    assert estimate(PROJECT, "{ products(last: 3) { edges { cursor node { id } } } }") == 1 + 3 * 2
    # neither: the assumed size of a page (the subgraphs' default page size, 20)
    assert estimate(PROJECT, "{ products { nodes { id } } }") == 21


def test_slicing_arguments_read_variables_and_defaults() -> None:
    query = "query($n: Int) { products(first: $n) { nodes { id } } }"
    assert estimate(PROJECT, query, {"n": 50}) == 51
    assert estimate(PROJECT, query, {}) == 21  # an unset variable: the assumed size
    # recommendations(first: Int! = 5) @cost(weight: 5) @listSize(slicingArguments: ["first"])
    nested = '{ customer(id: "1") { recommendations { id } } }'
    assert estimate(PROJECT, nested) == 1 + 5 * 5
    assert estimate(PROJECT, '{ customer(id: "1") { recommendations(first: 2) { id } } }') == 11


def test_nested_lists_multiply_and_lists_without_list_size_use_the_default() -> None:
    # customers page of 10, each with an orders page of 10, each order's lines (assumed 10)
    query = (
        "{ customers(first: 10) { nodes { orders(first: 10) { nodes { lines { quantity } } } } } }"
    )
    per_order = 1 + 10 * 1  # the order + its 10 lines
    per_customer = 1 + 1 + 10 * per_order  # the customer + its orders connection + orders
    assert estimate(PROJECT, query) == 1 + 10 * per_customer


def test_weights_from_apollos_composed_supergraph() -> None:
    assert estimate(COST_CASE, "{ items(first: 3) { id heavy } }") == 3 * (5 + 20)
    assert estimate(COST_CASE, "{ items(first: 3) { id } }") == 15


def test_mutations_cost_ten_more() -> None:
    mutation = 'mutation { releaseReservation(reference: "r") }'
    assert estimate(PROJECT, mutation) == 10 + 0


def test_config_section() -> None:
    config = parse_config("demand_control: {enabled: true, max: 50, mode: enforce}")
    assert config.demand_control == DemandControlConfig(enabled=True, max=50, mode="enforce")
    assert (
        DemandControl.from_config(DemandControlConfig(), Supergraph.from_sdl(COST_CASE).schema)
        is None
    )


@strawberry.type
class Item:
    id: strawberry.ID
    heavy: str | None


@strawberry.type
class Query:
    @strawberry.field
    def items(self, first: int | None = None) -> list[Item]:
        return [Item(id=strawberry.ID(str(i)), heavy="x") for i in range(min(first or 2, 2))]


class CountingSubgraph(GraphQL[Any, Any]):
    """The cost case's subgraph ``a``; counts the requests it answers."""

    def __init__(self) -> None:
        super().__init__(strawberry.Schema(query=Query))
        self.requests = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.requests += 1
        await super().__call__(scope, receive, send)


@pytest.fixture
def subgraph() -> CountingSubgraph:
    return CountingSubgraph()


async def client_of(
    subgraph: CountingSubgraph, config: DemandControlConfig
) -> AsyncIterator[httpx.AsyncClient]:
    router = Router.from_supergraph_sdl(
        COST_CASE, transport=httpx.ASGITransport(app=subgraph), demand_control=config
    )
    app = create_app(router)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://r") as client,
    ):
        yield client


@pytest.fixture
async def enforcing(subgraph: CountingSubgraph) -> AsyncIterator[httpx.AsyncClient]:
    config = DemandControlConfig(enabled=True, max=60, mode="enforce")
    async for client in client_of(subgraph, config):
        yield client


async def test_over_the_max_is_refused_before_any_subgraph_call(
    enforcing: httpx.AsyncClient, subgraph: CountingSubgraph
) -> None:
    body = {"query": "query($n: Int) { items(first: $n) { id heavy } }", "variables": {"n": 3}}
    response = await enforcing.post("/graphql", json=body)
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["extensions"] == {
        "code": "COST_ESTIMATED_TOO_EXPENSIVE",
        "cost.estimated": 75.0,
        "cost.max": 60.0,
    }
    assert subgraph.requests == 0
    # the same document (plan cached) under the max is answered
    body["variables"] = {"n": 2}
    response = await enforcing.post("/graphql", json=body, headers={"x-expose-cost": "true"})
    assert response.status_code == 200, response.text
    assert response.json()["extensions"]["cost"] == {
        "estimated": 50.0,
        "actual": 50.0,
        "max": 60.0,
        "mode": "enforce",
    }
    assert subgraph.requests == 1
    # a larger request again, with the plan cached: refused, still no subgraph call
    body["variables"] = {"n": 30}
    response = await enforcing.post("/graphql", json=body)
    assert response.json()["errors"][0]["extensions"]["code"] == "COST_ESTIMATED_TOO_EXPENSIVE"
    assert subgraph.requests == 1


async def test_actual_cost_counts_the_returned_items(
    enforcing: httpx.AsyncClient, subgraph: CountingSubgraph
) -> None:
    # estimated 2 x (5 + 20) = 50; the subgraph returns 1 item: actual 25
    body = {"query": "{ items(first: 1) { id heavy } }"}
    response = await enforcing.post("/graphql", json=body, headers={"x-expose-cost": "1"})
    assert response.json()["extensions"]["cost"]["estimated"] == 25.0
    assert response.json()["extensions"]["cost"]["actual"] == 25.0
    body = {"query": "{ items(first: 2) { id } }"}
    response = await enforcing.post("/graphql", json=body)
    assert "extensions" not in response.json()  # only when asked


async def test_require_one_slicing_argument_is_enforced(
    enforcing: httpx.AsyncClient, subgraph: CountingSubgraph
) -> None:
    response = await enforcing.post("/graphql", json={"query": "{ items { id } }"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "COST_QUERY_PARSE_FAILURE"
    assert subgraph.requests == 0


async def test_measure_mode_never_refuses(subgraph: CountingSubgraph) -> None:
    config = DemandControlConfig(enabled=True, max=1, mode="measure")
    async for client in client_of(subgraph, config):
        body = {"query": "{ items(first: 5) { id heavy } }"}
        response = await client.post("/graphql", json=body, headers={"x-expose-cost": "true"})
        assert response.status_code == 200
        cost = response.json()["extensions"]["cost"]
        assert (cost["estimated"], cost["actual"], cost["mode"]) == (125.0, 50.0, "measure")


def test_refusal_is_a_request_error_of_the_pipeline() -> None:
    supergraph = Supergraph.from_sdl(COST_CASE)
    router = Router.from_supergraph_sdl(COST_CASE)
    router._preparer.demand_control = DemandControl(supergraph.schema, max_cost=1, mode="enforce")
    refused = router.prepare(GraphQLRequest("{ items(first: 1) { id } }"))
    assert isinstance(refused, RequestError)
    assert refused.errors[0]["extensions"]["code"] == "COST_ESTIMATED_TOO_EXPENSIVE"


def test_a_cost_bomb_through_nested_lists_is_refused_without_a_plan() -> None:
    supergraph = Supergraph.from_sdl(PROJECT)
    router = Router.from_supergraph_sdl(PROJECT)
    router._preparer.demand_control = DemandControl(
        supergraph.schema, max_cost=1000, mode="enforce"
    )
    bomb = """{ customers(first: 100) { nodes { orders(first: 100) { nodes { lines {
      product { relatedProducts(first: 100) { relatedProducts(first: 100) { id } } } } } } } } }"""
    refused = router.prepare(GraphQLRequest(bomb), STAFF)
    assert isinstance(refused, RequestError)
    [error] = refused.errors
    assert error["extensions"]["code"] == "COST_ESTIMATED_TOO_EXPENSIVE"
    # 100 customers x 100 orders x 10 lines x (product + 100 x 5 x (1 + 100 x 5)) and more
    assert error["extensions"]["cost.estimated"] > 2.5e9
    assert len(router._preparer.plans) == 0  # refused before planning
    fine = router.prepare(GraphQLRequest("{ products(first: 10) { nodes { id } } }"))
    assert not isinstance(fine, RequestError) and fine.estimated_cost == 11
    assert len(router._preparer.plans) == 1


def test_estimates_are_remembered_per_operation_and_slicing_variable_values() -> None:
    supergraph = Supergraph.from_sdl(PROJECT)
    control = DemandControl(supergraph.schema, max_cost=10_000)
    router = Router.from_supergraph_sdl(PROJECT)
    router._preparer.demand_control = control
    query = (
        "query($n: Int, $s: String) { products(first: $n, filter: {search: $s}) { nodes { id } } }"
    )
    walks = 0
    original = control.estimate

    def counting(*args: Any) -> Any:
        nonlocal walks
        walks += 1
        return original(*args)

    control.estimate = counting  # type: ignore[method-assign,assignment]
    costs = [
        router.prepare(GraphQLRequest(query, variables=variables)).estimated_cost  # type: ignore[union-attr]
        for variables in ({"n": 5}, {"n": 5, "s": "a"}, {"n": 6}, {"n": 5, "s": "b"}, {}, {})
    ]
    assert costs == [6, 6, 7, 6, 21, 21]
    assert walks == 3  # n=5, n=6, n unset: the search does not size the list
