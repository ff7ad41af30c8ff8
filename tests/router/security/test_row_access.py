"""The row rules of the subgraphs through the router: a customer's JWT (and a partner key)
on the platform's supergraph, every subgraph in production identity mode. The router adds
no row rule of its own: what is refused here is refused by the subgraphs (see
tests/subgraphs/test_row_access.py for each subgraph reached directly)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from models.database import Database, open_database
from router.config import parse_config
from router.pipeline import Router
from router.security.api_keys import ApiKeyStore
from router.security.middleware import security_from_config
from router.server import create_app
from tests.router.security.support import SigningKeys, config_text, write_jwks
from tests.subgraphs.callers import codes, signed_subgraphs
from tests.subgraphs.owners import A_ORDER, B_ORDER, LISTED, A, B, orders_of, state

SUPERGRAPH = (Path(__file__).resolve().parents[3] / "schema.graphql").read_text(encoding="utf-8")
KEYS = SigningKeys()
# Before the router enforces @requiresScopes, a refused row is FORBIDDEN from the subgraph;
# after, a field the caller's scopes do not reach is refused by the router first.
REFUSED = {"FORBIDDEN", "UNAUTHORIZED_FIELD_OR_TYPE"}


class Platform:
    def __init__(self, client: httpx.AsyncClient, keys: ApiKeyStore) -> None:
        self.client = client
        self.keys = keys

    async def post(self, headers: dict[str, str], query: str, **variables: Any) -> dict[str, Any]:
        response = await self.client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def as_customer(self, customer_id: int, query: str, **variables: Any) -> dict[str, Any]:
        token = KEYS.rs256(sub=str(customer_id), scope="customer")
        return await self.post({"authorization": f"Bearer {token}"}, query, **variables)


@pytest.fixture
async def platform(database: Database, tmp_path: Path) -> AsyncIterator[Platform]:
    keys_url = f"sqlite+aiosqlite:///{tmp_path / 'keys.db'}"
    keys_database = open_database(keys_url)
    store = ApiKeyStore(keys_database)
    await store.create_tables()
    text = config_text(write_jwks(tmp_path / "jwks.json", KEYS)) + (
        f"api_keys:\n  enabled: true\n  database_url: {keys_url}\n  cache_seconds: 0\n"
    )
    security = security_from_config(parse_config(text), environ={})
    try:
        async with signed_subgraphs(database) as (_subgraphs, transport):
            router = Router.from_supergraph_sdl(SUPERGRAPH, transport=transport)
            app = create_app(router, security=security)
            async with (
                app.router.lifespan_context(app),
                httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://r") as c,
            ):
                yield Platform(c, store)
    finally:
        await keys_database.dispose()


async def test_an_alias_and_a_fragment_do_not_reach_another_customers_order(
    platform: Platform,
) -> None:
    query = """query($mine: ID!, $theirs: ID!) {
      mine: order(id: $mine) { id }
      theirs: order(id: $theirs) { id total { minorUnits } }
      ...Spy }
    fragment Spy on Query { spied: order(id: $theirs) { ...Details } }
    fragment Details on Order { id lines { quantity } customer { id } }"""
    body = await platform.as_customer(A, query, mine=str(A_ORDER), theirs=str(B_ORDER))
    assert body["data"] == {"mine": {"id": str(A_ORDER)}, "theirs": None, "spied": None}
    assert sorted(codes(body)) == [("FORBIDDEN", ("spied",)), ("FORBIDDEN", ("theirs",))]


async def test_another_customer_and_everything_under_it_is_refused(platform: Platform) -> None:
    query = """query($id: ID!) { customer(id: $id) {
      id orders { totalCount nodes { id } } recommendations { id } } }"""
    body = await platform.as_customer(A, query, id=str(B))
    assert body["data"] == {"customer": None}
    assert {code for code, _ in codes(body)} <= REFUSED and codes(body)
    assert ("FORBIDDEN", ("customer",)) in codes(body)


async def test_a_nested_path_stays_with_the_callers_rows(
    platform: Platform, database: Database
) -> None:
    query = """query($id: ID!) { order(id: $id) { customer { id
      orders(first: 100) { nodes { id customer { id orders(first: 100) { nodes { id } } } } }
      recommendations(first: 2) { id } } } }"""
    body = await platform.as_customer(A, query, id=str(A_ORDER))
    assert "errors" not in body, body
    customer = body["data"]["order"]["customer"]
    own = await orders_of(database, A)
    assert customer["id"] == str(A) and {n["id"] for n in customer["orders"]["nodes"]} == own
    for node in customer["orders"]["nodes"]:
        assert {m["id"] for m in node["customer"]["orders"]["nodes"]} == own
    assert customer["recommendations"] is not None


async def test_orders_list_holds_only_the_callers_orders(
    platform: Platform, database: Database
) -> None:
    query = """query($b: ID!) { all: orders(first: 100) { totalCount nodes { id } }
      theirs: orders(filter: {customerId: $b}) { totalCount nodes { id } } }"""
    body = await platform.as_customer(A, query, b=str(B))
    own = await orders_of(database, A)
    assert body["data"]["all"]["totalCount"] == len(own)
    assert {n["id"] for n in body["data"]["all"]["nodes"]} == own
    assert body["data"]["theirs"] == {"totalCount": 0, "nodes": []}


async def test_placing_and_cancelling_for_another_customer_changes_nothing(
    platform: Platform, database: Database
) -> None:
    before = await state(database)
    place = """mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }"""
    order_input = {
        "customerId": str(B),
        "idempotencyKey": f"rows-router-{uuid.uuid4().hex[:12]}",
        "lines": [{"productId": str(LISTED), "quantity": 1}],
    }
    placed = await platform.as_customer(A, place, input=order_input)
    cancel = "mutation($id: ID!) { cancelOrder(id: $id) { id status } }"
    cancelled = await platform.as_customer(A, cancel, id=str(B_ORDER))
    update = 'mutation($id: ID!) { updateCustomer(id: $id, input: {name: "Mallory"}) { id } }'
    updated = await platform.as_customer(A, update, id=str(B))
    assert codes(placed) == [("FORBIDDEN", ("placeOrder",))]
    assert codes(cancelled) == [("FORBIDDEN", ("cancelOrder",))]
    assert codes(updated) == [("FORBIDDEN", ("updateCustomer",))]
    assert placed["data"] is None and cancelled["data"] is None and updated["data"] is None
    assert await state(database) == before


async def test_a_partner_with_catalog_scopes_reads_no_customer(platform: Platform) -> None:
    issued = await platform.keys.create("acme", ["catalog:write", "inventory:read"])
    query = """query($id: ID!, $order: ID!) { customer(id: $id) { id email }
      customers { totalCount nodes { id email } }
      order(id: $order) { id customer { id } } }"""
    body = await platform.post({"x-api-key": issued.key}, query, id=str(A), order=str(A_ORDER))
    # the router removes customers (CustomerConnection!): null propagation nulls data
    data = body["data"] or {"customer": None, "order": None, "customers": None}
    assert data["customer"] is None and data["order"] is None
    assert data["customers"] in (None, {"totalCount": 0, "nodes": []})
    refused = codes(body)
    assert {code for code, _ in refused} <= REFUSED
    assert {path[0] for _, path in refused} >= {"customer", "order"}
    products = await platform.post(
        {"x-api-key": issued.key}, "{ products(first: 1) { nodes { id } } }"
    )
    assert products["data"]["products"]["nodes"], "the catalogue stays open to the partner"
