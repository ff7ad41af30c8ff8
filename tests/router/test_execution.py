"""Plan execution against real in-process subgraphs (the shop and the fleet).

Expected answers of the shop queries were checked against Apollo Gateway running over the
same subgraphs; where Apollo is wrong (error paths of ``_entities`` fetches that skip some
objects) the test says so.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from models.database import Database
from router.execution import execute_plan
from router.pipeline import PreparedOperation, Router
from router.plan import (
    Fetch,
    Flatten,
    FlattenBranch,
    OutputRewrite,
    Parallel,
    PlanField,
    PlanFragment,
    PlanNode,
    QueryPlan,
    Sequence,
    make_fetch,
)
from router.request import GraphQLRequest
from router.subgraph_client import SubgraphClients
from subgraphs.registry import DOMAINS
from tests.fleet.apps import FleetTransport, fleet_apps
from tests.fleet.corpus import CORPUS_DIR
from tests.project_access import STAFF, project_platform
from tests.router.shop import reviews
from tests.router.shop.apps import BASE_PORT, SUPERGRAPH, reset, shop_apps, shop_transport

FLEET_SUPERGRAPH = (CORPUS_DIR.parent / "supergraph.graphql").read_text(encoding="utf-8")
_ROOT = Path(__file__).resolve().parents[2]
PLATFORM_SUPERGRAPH = (_ROOT / "schema.graphql").read_text(encoding="utf-8")
ASGI = Callable[
    [MutableMapping[str, Any], Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]],
    Awaitable[None],
]


class RecordingTransport(httpx.AsyncBaseTransport):
    """Forwards to another transport and keeps the JSON bodies sent, per port."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.bodies: list[tuple[int, dict[str, Any]]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.bodies.append((request.url.port or 0, orjson.loads(await request.aread())))
        return await self.inner.handle_async_request(request)


async def run(
    supergraph: str,
    transport: httpx.AsyncBaseTransport,
    query: str,
    variables: dict[str, Any] | None = None,
    timeout: float = 10.0,
) -> dict[str, Any]:
    router = Router.from_supergraph_sdl(supergraph, transport=transport, timeout=timeout)
    try:
        prepared = router.prepare(GraphQLRequest(query, None, variables))
        assert isinstance(prepared, PreparedOperation), prepared
        return await router.execute(prepared)
    finally:
        await router.aclose()


@pytest.fixture(autouse=True)
def fresh_shop() -> None:
    reset()


async def test_interface_fields_come_from_each_owner() -> None:
    query = (
        "{ media { __typename id title ... on Book { pages stock rating shelfWidth } "
        "... on Movie { minutes movieRating: rating } } }"
    )
    body = await run(SUPERGRAPH, shop_transport(), query)
    assert body == {
        "data": {
            "media": [
                {
                    "__typename": "Book",
                    "id": "b1",
                    "title": "Dune",
                    "pages": 412,
                    "stock": 7,
                    "rating": 5,
                    "shelfWidth": 41,
                },
                {
                    "__typename": "Book",
                    "id": "b2",
                    "title": "Emma",
                    "pages": 474,
                    "stock": 0,
                    "rating": 4,
                    "shelfWidth": 47,
                },
                {
                    "__typename": "Movie",
                    "id": "m1",
                    "title": "Alien",
                    "minutes": 117,
                    "movieRating": 3,
                },
            ]
        }
    }


async def test_union_members_are_completed_by_their_subgraphs() -> None:
    query = (
        '{ search(term: "*") { ... on Media { title } ... on Book { rating } '
        "... on Author { name followers } ... on Movie { minutes } } }"
    )
    body = await run(SUPERGRAPH, shop_transport(), query)
    assert json.dumps(body) == json.dumps(
        {
            "data": {
                "search": [
                    {"title": "Dune", "rating": 5},
                    {"title": "Emma", "rating": 4},
                    {"title": "Heat", "minutes": 170},
                    {"name": "Frank Herbert", "followers": 1200},
                ]
            }
        }
    )


async def test_nested_required_fields_are_sent_in_the_representation() -> None:
    transport = RecordingTransport(shop_transport())
    body = await run(SUPERGRAPH, transport, "{ media { ... on Book { coverArea } } }")
    assert body == {"data": {"media": [{"coverArea": 294}, {"coverArea": 260}, {}]}}
    [to_inventory] = [b for port, b in transport.bodies if port == BASE_PORT + 2]
    assert to_inventory["variables"]["representations"][0] == {
        "__typename": "Book",
        "id": "b1",
        "dimensions": {"width": 14, "height": 21},
    }


async def test_entity_reached_through_its_other_key() -> None:
    body = await run(SUPERGRAPH, shop_transport(), "{ topAuthor { id name followers handle } }")
    assert body == {
        "data": {
            "topAuthor": {"id": "a2", "name": "Jane Austen", "followers": 5400, "handle": "austen"}
        }
    }


async def test_mutation_fields_run_in_order() -> None:
    query = (
        'mutation { a: rename(id: "b1", title: "Dune II") { title } '
        'b: addRating(id: "m1", rating: 2) c: rename(id: "m1", title: "Aliens") '
        "{ id title ... on Movie { rating } } }"
    )
    body = await run(SUPERGRAPH, shop_transport(), query)
    assert body == {
        "data": {
            "a": {"title": "Dune II"},
            "b": 2,
            "c": {"id": "m1", "title": "Aliens", "rating": 2},
        }
    }
    assert reviews.MUTATION_LOG == ["addRating m1"]


async def test_representations_are_deduplicated_into_one_batch() -> None:
    transport = RecordingTransport(FleetTransport(fleet_apps()))
    query = "{ topProducts { reviews { author { name } } } }"
    body = await run(FLEET_SUPERGRAPH, transport, query)
    authors = [r["author"]["name"] for p in body["data"]["topProducts"] for r in p["reviews"]]
    assert authors == ["Ada Lovelace", "Alan Turing", "Ada Lovelace", "Alan Turing"]
    to_accounts = [b for port, b in transport.bodies if port == 4001]
    assert len(to_accounts) == 1
    assert to_accounts[0]["variables"]["representations"] == [
        {"__typename": "User", "id": "1"},
        {"__typename": "User", "id": "2"},
    ]


def _representations_sent(transport: RecordingTransport, field: str) -> list[Any]:
    [body] = [b for _, b in transport.bodies if field in b["query"]]
    representations: list[Any] = body["variables"]["representations"]
    return representations


async def test_internal_aliases_are_sent_under_field_names_and_never_answered() -> None:
    transport = RecordingTransport(FleetTransport(fleet_apps()))
    query = "{ topProducts(first: 2) { weight: price price: weight upc: name shippingEstimate } }"
    body = await run(FLEET_SUPERGRAPH, transport, query)
    assert body == {
        "data": {
            "topProducts": [
                {"weight": 899, "price": 100, "upc": "Table", "shippingEstimate": 50},
                {"weight": 1299, "price": 1000, "upc": "Couch", "shippingEstimate": 0},
            ]
        }
    }
    assert _representations_sent(transport, "shippingEstimate") == [
        {"__typename": "Product", "upc": "1", "price": 899, "weight": 100},
        {"__typename": "Product", "upc": "2", "price": 1299, "weight": 1000},
    ]


async def test_aliased_typename_is_read_for_the_representation() -> None:
    transport = RecordingTransport(FleetTransport(fleet_apps()))
    await run(FLEET_SUPERGRAPH, transport, "{ topProducts(first: 1) { __typename: name inStock } }")
    assert _representations_sent(transport, "inStock") == [{"__typename": "Product", "upc": "1"}]


async def test_subgraph_errors_are_repathed_to_the_client_path() -> None:
    body = await run(
        SUPERGRAPH, shop_transport(), '{ search(term: "e") { ... on Movie { rating } } }'
    )
    # Apollo Gateway reports ["search", 0, "rating"]: it indexes all objects at the path,
    # not only the Movie it sent. The Movie is the third result.
    assert body == {
        "errors": [
            {
                "message": "no rating for movie m2",
                "path": ["search", 2, "rating"],
                "extensions": {"serviceName": "reviews", "code": "DOWNSTREAM_SERVICE_ERROR"},
            }
        ],
        "data": None,
    }


class RefusingTransport(httpx.AsyncBaseTransport):
    """The shop with one subgraph down: its port refuses connections."""

    def __init__(self, down: str) -> None:
        self.inner = shop_transport()
        self.port = BASE_PORT + list(shop_apps()).index(down)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.port == self.port:
            raise httpx.ConnectError("connection refused", request=request)
        return await self.inner.handle_async_request(request)


def without(name: str) -> RefusingTransport:
    return RefusingTransport(name)


async def test_unreachable_subgraph_gives_partial_data() -> None:
    body = await run(SUPERGRAPH, without("inventory"), "{ media { id ... on Book { stock } } }")
    assert body["data"] == {
        "media": [{"id": "b1", "stock": None}, {"id": "b2", "stock": None}, {"id": "m1"}]
    }
    [error] = body["errors"]
    assert error["extensions"] == {"code": "SUBGRAPH_ERROR", "serviceName": "inventory"}


async def test_null_in_non_null_field_bubbles_to_nearest_nullable_parent() -> None:
    body = await run(SUPERGRAPH, without("reviews"), '{ author(id: "a1") { name followers } }')
    assert body["data"] == {"author": None}
    assert [e["extensions"]["serviceName"] for e in body["errors"]] == ["reviews"]


async def test_null_without_other_errors_is_reported_as_value_completion() -> None:
    body = await run(FLEET_SUPERGRAPH, FleetTransport(fleet_apps()), "{ me { __typename: name } }")
    assert body == {
        "data": {"me": None},
        "extensions": {
            "valueCompletion": [
                {
                    "message": "Invalid __typename found for object at field Query.me.",
                    "path": ["me"],
                    "extensions": {"code": "INVALID_GRAPHQL"},
                }
            ]
        },
    }


def broken_app(status: int, body: bytes, delay: float = 0.0) -> ASGI:
    async def app(scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        await asyncio.sleep(delay)
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": body})

    return app


@pytest.mark.parametrize(
    ("app", "timeout", "reason"),
    [
        (broken_app(500, b"Internal Server Error"), 10.0, "HTTP 500, the body is not JSON"),
        (broken_app(200, b"<html>"), 10.0, "HTTP 200, the body is not JSON"),
        (broken_app(200, b'{"data": null}', delay=5.0), 0.2, "the request timed out"),
    ],
)
async def test_broken_subgraph_answers_become_errors(
    app: ASGI, timeout: float, reason: str
) -> None:
    apps: dict[str, Any] = {
        "accounts": app,
        **{k: v for k, v in fleet_apps().items() if k != "accounts"},
    }
    body = await run(
        FLEET_SUPERGRAPH,
        FleetTransport(apps),
        "{ me { name } topProducts(first: 1) { upc } }",
        timeout=timeout,
    )
    assert body["data"] == {"me": None, "topProducts": [{"upc": "1"}]}
    [error] = body["errors"]
    assert reason in error["message"]
    assert error["extensions"] == {"code": "SUBGRAPH_ERROR", "serviceName": "accounts"}


async def test_an_entity_a_subgraph_answers_null_is_its_null_not_the_routers() -> None:
    """No error, no fields: the response coverage check (on in tests) accepts the nulls
    because execution reports the entity the subgraph answered null."""
    apps: dict[str, Any] = {
        **fleet_apps(),
        "inventory": broken_app(200, b'{"data": {"_entities": [null]}}'),
    }
    query = "{ topProducts(first: 1) { upc inStock } }"
    body = await run(FLEET_SUPERGRAPH, FleetTransport(apps), query)
    assert body == {"data": {"topProducts": [{"upc": "1", "inStock": None}]}}
    router = Router.from_supergraph_sdl(FLEET_SUPERGRAPH, transport=FleetTransport(apps))
    try:
        prepared = router.prepare(GraphQLRequest(query))
        assert isinstance(prepared, PreparedOperation)
        null_entities: list[list[str | int]] = []
        await execute_plan(prepared.plan, router.clients, {}, null_entities)
    finally:
        await router.aclose()
    assert null_entities == [["topProducts", 0]]


async def test_introspection_is_answered_by_the_router_next_to_data() -> None:
    query = '{ __typename t: __type(name: "Product") { name } topProducts(first: 1) { upc } }'
    body = await run(FLEET_SUPERGRAPH, FleetTransport(fleet_apps()), query)
    assert body == {
        "data": {"__typename": "Query", "t": {"name": "Product"}, "topProducts": [{"upc": "1"}]}
    }


def _product_fetch(*fields: str) -> Fetch:
    key = (PlanFragment("Product", (PlanField(None, "__typename", "", ()), _leaf("upc"))),)
    selections = (PlanFragment("Product", tuple(_leaf(name) for name in fields)),)
    return make_fetch("products", selections, requires=key)


def _leaf(name: str) -> PlanField:
    return PlanField(None, name, "", ())


def _merged_plan() -> QueryPlan:
    """Root ``{a b}`` from "root", then one products fetch for "a.@" (name sku) and "b" (name)."""
    root = make_fetch("root", (PlanField(None, "a", "", ()), PlanField(None, "b", "", ())))
    merged = _product_fetch("name", "sku")
    branches = (
        FlattenBranch(("a", "@"), None),
        FlattenBranch(("b",), _product_fetch("name").selections),
    )
    return QueryPlan(Sequence((root, Flatten(("a", "@"), merged, branches))))


def _canned(products: httpx.Response) -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.host == "root":
            p1, p2 = ({"__typename": "Product", "upc": upc} for upc in "12")
            return httpx.Response(200, json={"data": {"a": [p1, p2], "b": dict(p2)}})
        return products

    return httpx.MockTransport(answer)


async def _execute_merged(products: httpx.Response) -> tuple[Any, list[Any], int]:
    urls = {"root": "http://root/graphql", "products": "http://products/graphql"}
    clients = SubgraphClients(urls, transport=_canned(products))
    try:
        data, errors = await execute_plan(_merged_plan(), clients, {})
    finally:
        await clients.aclose()
    return data, errors, clients.requests_sent


async def test_merged_fetch_gives_each_path_its_own_fields_and_errors() -> None:
    products = {
        "data": {"_entities": [{"name": "One", "sku": "s1"}, {"name": "Two", "sku": None}]},
        "errors": [
            {"message": "no sku", "path": ["_entities", 1, "sku"]},
            {"message": "slow", "path": ["_entities", 1]},
        ],
    }
    data, errors, sent = await _execute_merged(httpx.Response(200, json=products))
    assert sent == 2  # "1" and "2" once each: "b" shares "2" with "a.1"
    assert data["b"] == {"__typename": "Product", "upc": "2", "name": "Two"}  # no sku
    assert [p["sku"] for p in data["a"]] == ["s1", None]
    assert [(e["message"], e["path"]) for e in errors] == [
        ("no sku", ["a", 1, "sku"]),
        ("slow", ["a", 1]),
        ("slow", ["b"]),
    ]


async def test_merged_fetch_that_fails_reports_once_per_path() -> None:
    data, errors, sent = await _execute_merged(httpx.Response(500, text="down"))
    assert sent == 2
    assert "name" not in data["b"]
    assert len(errors) == 2
    assert all(e["extensions"]["code"] == "SUBGRAPH_ERROR" for e in errors)


def _unmerged(node: PlanNode) -> PlanNode:
    """The plan before merging: one fetch per path of each merged ``Flatten``."""
    if isinstance(node, Flatten) and node.branches:
        fetch = node.node
        return Parallel(
            tuple(
                Flatten(
                    b.path,
                    make_fetch(
                        fetch.service_name,
                        b.selections or fetch.selections,
                        requires=fetch.requires,
                    ),
                )
                for b in node.branches
            )
        )
    if isinstance(node, Sequence | Parallel):
        return type(node)(tuple(_unmerged(child) for child in node.nodes))
    return node


async def test_merged_fetches_send_fewer_requests_for_the_same_data(database: Database) -> None:
    query = (_ROOT / "bench" / "queries" / "customer-360.graphql").read_text(encoding="utf-8")
    databases = {name: database for name in DOMAINS}
    async with project_platform(databases, PLATFORM_SUPERGRAPH) as platform:
        router = platform.router
        prepared = router.prepare(GraphQLRequest(query, None, {"id": "3"}), STAFF)
        assert isinstance(prepared, PreparedOperation)
        assert prepared.plan.node is not None
        assert "Flatten(paths: [" in router.explain(prepared)
        merged = await router.execute(prepared)
        sent_merged = router.clients.requests_sent
        unmerged_plan = QueryPlan(_unmerged(prepared.plan.node))
        unmerged = await router.execute(dataclasses.replace(prepared, plan=unmerged_plan))
        sent_unmerged = router.clients.requests_sent - sent_merged
    customer = merged["data"]["customer"]
    assert customer["orders"]["nodes"] and customer["recommendations"]
    assert orjson.dumps(merged) == orjson.dumps(unmerged)
    assert (sent_merged, sent_unmerged) == (5, 7)


async def test_output_rewrites_rename_aliases_back_per_type_in_root_and_entity_answers() -> None:
    root = make_fetch(
        "root",
        (PlanField(None, "nodes", "", (_leaf("__typename"), _leaf("id"), _leaf("v"))),),
        output_rewrites=(OutputRewrite(("nodes", frozenset({"Admin"})), "v__alias_0", "v"),),
    )
    key = (PlanFragment("User", (_leaf("__typename"), _leaf("id"))),)
    entities = make_fetch(
        "users",
        (PlanFragment("User", (_leaf("w"),)),),
        requires=key,
        output_rewrites=(OutputRewrite((frozenset({"User"}),), "w__alias_0", "w"),),
    )
    plan = QueryPlan(Sequence((root, Flatten(("nodes", "@"), entities))))
    user = {"__typename": "User", "id": "u1", "v": 1}
    admin = {"__typename": "Admin", "id": "a1", "v__alias_0": 2}
    untouched = {"__typename": "User", "id": "u2", "v__alias_0": 3}  # not an Admin

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.host == "root":
            return httpx.Response(200, json={"data": {"nodes": [user, admin, untouched]}})
        return httpx.Response(
            200, json={"data": {"_entities": [{"w__alias_0": "x"}, {"w__alias_0": "y"}]}}
        )

    urls = {"root": "http://root/graphql", "users": "http://users/graphql"}
    clients = SubgraphClients(urls, transport=httpx.MockTransport(answer))
    try:
        data, errors = await execute_plan(plan, clients, {})
    finally:
        await clients.aclose()
    assert errors == []
    assert data == {
        "nodes": [
            {"__typename": "User", "id": "u1", "v": 1, "w": "x"},
            {"__typename": "Admin", "id": "a1", "v": 2},
            {"__typename": "User", "id": "u2", "v__alias_0": 3, "w": "y"},
        ]
    }


async def test_error_paths_use_the_client_key_of_a_renamed_alias() -> None:
    root = make_fetch(
        "root",
        (PlanField(None, "nodes", "", (_leaf("__typename"), _leaf("v"))),),
        output_rewrites=(OutputRewrite(("nodes", frozenset({"Admin"})), "v__alias_0", "v"),),
    )
    answer = {
        "data": {"nodes": [{"__typename": "Admin", "v__alias_0": None}]},
        "errors": [{"message": "no v", "path": ["nodes", 0, "v__alias_0"]}],
    }
    clients = SubgraphClients(
        {"root": "http://root/graphql"},
        transport=httpx.MockTransport(lambda request: httpx.Response(200, json=answer)),
    )
    try:
        data, errors = await execute_plan(QueryPlan(root), clients, {})
    finally:
        await clients.aclose()
    assert data == {"nodes": [{"__typename": "Admin", "v": None}]}
    assert [error["path"] for error in errors] == [["nodes", 0, "v"]]
