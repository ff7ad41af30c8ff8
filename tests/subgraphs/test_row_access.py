"""Row-level rules in the subgraphs, each subgraph reached directly with a router-signed
identity (no router in front): a customer reads and changes only its own rows, whatever
the shape of the query; staff and partners see what their scopes grant. Every refusal is
``FORBIDDEN`` and leaves the database as it was."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import func, select

from models.customers import Customer
from models.database import Database
from models.orders import Order
from tests.conftest import TEST_SCALE, StatementCounter
from tests.subgraphs.callers import (
    ANONYMOUS,
    STAFF,
    SignedSubgraphs,
    codes,
    customer,
    partner,
    signed_subgraphs,
)
from tests.subgraphs.owners import (
    A_ORDER,
    A_SEEDED_ORDERS,
    B_ORDER,
    BUYER,
    LISTED,
    A,
    B,
    orders_of,
    state,
)


@pytest.fixture
async def call(database: Database) -> AsyncIterator[SignedSubgraphs]:
    async with signed_subgraphs(database) as (subgraphs, _transport):
        yield subgraphs


# --- reads: aliases, fragments, lists, entities, nested paths ---


async def test_an_alias_does_not_reach_another_customers_order(call: SignedSubgraphs) -> None:
    query = """query($mine: ID!, $theirs: ID!) {
      mine: order(id: $mine) { id customer { id } }
      theirs: order(id: $theirs) { id total { minorUnits } lines { quantity } }
      missing: order(id: "99999999") { id } }"""
    body = await call("orders", customer(A), query, mine=str(A_ORDER), theirs=str(B_ORDER))
    assert body["data"] == {
        "mine": {"id": str(A_ORDER), "customer": {"id": str(A)}},
        "theirs": None,
        "missing": None,
    }
    # a missing order is refused like another's: no oracle of which ids exist
    assert sorted(codes(body)) == [("FORBIDDEN", ("missing",)), ("FORBIDDEN", ("theirs",))]
    staff = await call("orders", STAFF, query, mine=str(A_ORDER), theirs=str(B_ORDER))
    assert staff["data"]["theirs"]["id"] == str(B_ORDER) and staff["data"]["missing"] is None
    assert "errors" not in staff


async def test_a_fragment_does_not_reach_another_customers_order(call: SignedSubgraphs) -> None:
    query = """query($id: ID!) { ...Spy }
      fragment Spy on Query { order(id: $id) { ...Details } }
      fragment Details on Order { id total { minorUnits } }"""
    body = await call("orders", customer(A), query, id=str(B_ORDER))
    assert body["data"] == {"order": None}
    assert codes(body) == [("FORBIDDEN", ("order",))]


async def test_lists_hold_only_the_callers_orders_on_every_page(
    call: SignedSubgraphs, database: Database
) -> None:
    own = await orders_of(database, A)
    query = """query($after: String, $customerId: ID) {
      orders(first: 2, after: $after, filter: {customerId: $customerId}) {
        totalCount nodes { id customer { id } } pageInfo { hasNextPage endCursor } } }"""
    seen: list[str] = []
    after = None
    while True:
        body = await call("orders", customer(A), query, after=after)
        page = body["data"]["orders"]
        assert page["totalCount"] == len(own)
        assert {node["customer"]["id"] for node in page["nodes"]} <= {str(A)}
        seen += [node["id"] for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert sorted(seen) == sorted(own) and len(seen) == len(set(seen))
    # filtering on another customer finds nothing, it does not widen the list
    body = await call("orders", customer(A), query, customerId=str(B))
    assert body["data"]["orders"]["totalCount"] == 0 and body["data"]["orders"]["nodes"] == []
    staff = await call("orders", STAFF, query, customerId=str(B))
    assert staff["data"]["orders"]["totalCount"] == len(await orders_of(database, B))


async def test_backward_pages_are_restricted_too(call: SignedSubgraphs, database: Database) -> None:
    query = "{ orders(last: 100) { totalCount nodes { id } } }"
    body = await call("orders", customer(A), query)
    assert {n["id"] for n in body["data"]["orders"]["nodes"]} == await orders_of(database, A)


async def test_order_entities_of_another_customer_are_null_and_forbidden(
    call: SignedSubgraphs, statements: StatementCounter
) -> None:
    query = """query($r: [_Any!]!) { _entities(representations: $r) {
      ... on Order { id total { minorUnits } lines { quantity } } } }"""
    ids = [A_ORDER, B_ORDER, 99999999, *A_SEEDED_ORDERS[1:]]
    statements.reset()
    body = await call(
        "orders", customer(A), query, r=[{"__typename": "Order", "id": str(i)} for i in ids]
    )
    entities = body["data"]["_entities"]
    assert [e and e["id"] for e in entities] == [
        str(A_ORDER),
        None,
        None,
        *(str(id_) for id_ in A_SEEDED_ORDERS[1:]),
    ]
    assert codes(body) == [("FORBIDDEN", ("_entities", 1)), ("FORBIDDEN", ("_entities", 2))]
    assert statements.count == 2  # orders + lines: the rule reads the batched rows


async def test_customer_orders_of_another_customer_through_entities(
    call: SignedSubgraphs, statements: StatementCounter, database: Database
) -> None:
    query = """query($r: [_Any!]!) { _entities(representations: $r) {
      ... on Customer { id orders(first: 50) { totalCount nodes { id lines { quantity } } } } } }"""
    others = [c for c in range(1, 51) if c != A]
    r = [{"__typename": "Customer", "id": str(c)} for c in [A, *others]]
    statements.reset()
    body = await call("orders", customer(A), query, r=r)
    assert statements.count == 3  # A's page + its lines + its count; none for the others
    entities = body["data"]["_entities"]
    assert {n["id"] for n in entities[0]["orders"]["nodes"]} == await orders_of(database, A)
    assert entities[0]["orders"]["totalCount"] == len(await orders_of(database, A))
    assert all(e["orders"] is None for e in entities[1:])
    assert codes(body) == [("FORBIDDEN", ("_entities", i, "orders")) for i in range(1, 50)]


async def test_a_nested_path_stays_with_the_callers_orders(
    call: SignedSubgraphs, database: Database
) -> None:
    query = """query($id: ID!) { order(id: $id) { customer { id orders(first: 100) {
      nodes { id customer { id orders(first: 100) { nodes { id } } } } } } } }"""
    body = await call("orders", customer(A), query, id=str(A_ORDER))
    nodes = body["data"]["order"]["customer"]["orders"]["nodes"]
    own = await orders_of(database, A)
    assert {n["id"] for n in nodes} == own
    assert all({m["id"] for m in n["customer"]["orders"]["nodes"]} == own for n in nodes)
    assert "errors" not in body


async def test_customer_profiles(call: SignedSubgraphs) -> None:
    query = """query($r: [_Any!]!, $a: ID!, $b: ID!) {
      me: customer(id: $a) { id email }
      other: customer(id: $b) { id email }
      customers(first: 100) { totalCount nodes { id } }
      _entities(representations: $r) { ... on Customer { id email addresses { city } } } }"""
    r = [{"__typename": "Customer", "id": str(c)} for c in (B, A)]
    body = await call("customers", customer(A), query, r=r, a=str(A), b=str(B))
    data = body["data"]
    assert data["me"]["id"] == str(A) and data["other"] is None
    assert data["customers"] == {"totalCount": 1, "nodes": [{"id": str(A)}]}
    assert data["_entities"][0] is None and data["_entities"][1]["id"] == str(A)
    assert sorted(codes(body)) == [("FORBIDDEN", ("_entities", 0)), ("FORBIDDEN", ("other",))]


@pytest.mark.parametrize(
    "caller",
    [partner("catalog:write"), partner("orders:read", "inventory:read"), ANONYMOUS],
    ids=["catalog partner", "orders partner", "anonymous"],
)
async def test_a_caller_without_customers_read_sees_no_customer(
    call: SignedSubgraphs, caller: Any
) -> None:
    query = """query($id: ID!, $r: [_Any!]!) { customer(id: $id) { id email }
      customers { totalCount nodes { id email } }
      _entities(representations: $r) { ... on Customer { id email } } }"""
    r = [{"__typename": "Customer", "id": str(A)}]
    body = await call("customers", caller, query, id=str(A), r=r)
    assert body["data"] == {
        "customer": None,
        "customers": {"totalCount": 0, "nodes": []},
        "_entities": [None],
    }
    assert sorted(codes(body)) == [("FORBIDDEN", ("_entities", 0)), ("FORBIDDEN", ("customer",))]


async def test_partner_scopes_grant_their_domain(call: SignedSubgraphs, database: Database) -> None:
    reader = partner("customers:read")
    body = await call("customers", reader, "{ customers { totalCount } }")
    assert body["data"]["customers"]["totalCount"] >= TEST_SCALE.customers
    orders = await call("orders", partner("orders:read"), "{ orders { totalCount } }")
    async with database.sessions() as session:
        assert orders["data"]["orders"]["totalCount"] == await session.scalar(
            select(func.count()).select_from(Order)
        )


async def test_recommendations_of_another_customer(call: SignedSubgraphs) -> None:
    query = """query($r: [_Any!]!) { _entities(representations: $r) {
      ... on Customer { id recommendations(first: 3) { id } } } }"""
    r = [{"__typename": "Customer", "id": str(c)} for c in (A, B)]
    body = await call("marketing", customer(A), query, r=r)
    mine, theirs = body["data"]["_entities"]
    assert mine["recommendations"] is not None and theirs == {"id": str(B), "recommendations": None}
    assert codes(body) == [("FORBIDDEN", ("_entities", 1, "recommendations"))]
    staff = await call("marketing", STAFF, query, r=r)
    assert staff["data"]["_entities"][1]["recommendations"], "B has recommendations to leak"
    marketer = await call("marketing", partner("marketing:read"), query, r=r)
    assert "errors" not in marketer


# --- writes: each refusal changes nothing ---

PLACE = (
    """mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id customer { id } } }"""
)
CANCEL = "mutation($id: ID!) { cancelOrder(id: $id) { id status } }"
STATUS = "mutation($id: ID!, $s: OrderStatus!) { updateOrderStatus(id: $id, status: $s) { id } }"
UPDATE = """mutation($id: ID!) { updateCustomer(id: $id, input: {name: "Mallory"}) { id name } }"""


def _order_input(customer_id: int) -> dict[str, Any]:
    return {
        "customerId": str(customer_id),
        "idempotencyKey": f"rows-{uuid.uuid4().hex[:12]}",
        "lines": [{"productId": str(LISTED), "quantity": 1}],
    }


@pytest.mark.parametrize(
    "caller", [customer(A), partner("orders:read"), ANONYMOUS], ids=["customer", "reader", "anon"]
)
async def test_placing_an_order_for_another_customer(
    call: SignedSubgraphs, database: Database, caller: Any
) -> None:
    before = await state(database)
    body = await call("orders", caller, PLACE, input=_order_input(B))
    assert body["data"] is None
    assert codes(body) == [("FORBIDDEN", ("placeOrder",))]
    assert await state(database) == before


async def test_cancelling_or_moving_another_customers_order(
    call: SignedSubgraphs, database: Database
) -> None:
    before = await state(database)
    attempts = [
        (customer(A), CANCEL, {"id": str(B_ORDER)}),
        (customer(A), CANCEL, {"id": "99999999"}),
        (customer(B), STATUS, {"id": str(B_ORDER), "s": "CANCELLED"}),  # even its own
        (partner("orders:read"), CANCEL, {"id": str(B_ORDER)}),
    ]
    for caller, mutation, variables in attempts:
        body = await call("orders", caller, mutation, **variables)
        assert body["data"] is None, (caller, mutation)
        assert [code for code, _ in codes(body)] == ["FORBIDDEN"], body
    assert await state(database) == before


async def test_updating_another_customer(call: SignedSubgraphs, database: Database) -> None:
    before = await state(database)
    for caller in (customer(A), partner("customers:read"), ANONYMOUS):
        body = await call("customers", caller, UPDATE, id=str(B))
        assert body["data"] is None
        assert codes(body) == [("FORBIDDEN", ("updateCustomer",))]
    assert await state(database) == before


async def test_a_customer_places_cancels_and_updates_its_own(
    call: SignedSubgraphs, database: Database
) -> None:
    """The control: the same mutations pass for the customer itself (and for staff)."""
    own = customer(BUYER)
    placed = await call("orders", own, PLACE, input=_order_input(BUYER))
    assert placed["data"]["placeOrder"]["customer"] == {"id": str(BUYER)}, placed
    order_id = placed["data"]["placeOrder"]["id"]
    cancelled = await call("orders", own, CANCEL, id=order_id)
    assert cancelled["data"]["cancelOrder"] == {"id": order_id, "status": "CANCELLED"}
    staff_placed = await call("orders", STAFF, PLACE, input=_order_input(BUYER))
    assert "errors" not in staff_placed
    async with database.sessions() as session:
        name = await session.scalar(select(Customer.name).where(Customer.id == BUYER))
    query = (
        "mutation($id: ID!, $n: String!) { updateCustomer(id: $id, input: {name: $n}) { name } }"
    )
    renamed = await call("customers", own, query, id=str(BUYER), n=name)
    assert renamed["data"]["updateCustomer"] == {"name": name}


async def test_a_partner_placing_orders_must_also_read_customers(
    call: SignedSubgraphs, database: Database
) -> None:
    """placeOrder checks the customer exists by asking customers with the caller's own
    identity: orders:write alone cannot probe which customers exist."""
    before = await state(database)
    body = await call("orders", partner("orders:write"), PLACE, input=_order_input(BUYER))
    assert codes(body) == [("FORBIDDEN", ("placeOrder",))]
    assert await state(database) == before
    writer = partner("orders:write", "customers:read")
    placed = await call("orders", writer, PLACE, input=_order_input(BUYER))
    assert placed["data"]["placeOrder"]["customer"] == {"id": str(BUYER)}, placed
