"""Malformed inputs answer BAD_USER_INPUT, never INTERNAL_SERVER_ERROR (issue 9, item 9), and
search text is matched literally: LIKE wildcards in it are escaped (item 10)."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from sqlalchemy import select

from models.customers import Customer
from models.database import Database
from models.seed import generate
from tests.conftest import TEST_SCALE, GraphQL

CUSTOMER = "query($id: ID!) { customer(id: $id) { id } }"
CUSTOMERS = """query($f: CustomerFilter, $after: String) {
  customers(first: 100, filter: $f, after: $after) { nodes { id } } }"""
PRODUCTS = "query($f: ProductFilter) { products(first: 100, filter: $f) { nodes { id } } }"
ENTITIES = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { id name } } }"


def _codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors") or ()]


async def _still_answers(graphql: GraphQL) -> None:
    body = await graphql("customers", CUSTOMER, id="1")
    assert body == {"data": {"customer": {"id": "1"}}}


def _cursor(key: str) -> str:
    return base64.urlsafe_b64encode(f"k:{key}".encode()).decode()


@pytest.mark.parametrize(
    ("subgraph", "query", "variables"),
    [
        ("customers", CUSTOMERS, {"f": {"search": "a\x00b"}}),
        ("customers", CUSTOMERS, {"f": {"tag": "v\x00ip"}}),
        ("products", PRODUCTS, {"f": {"search": "ket\x00tle"}}),
        ("customers", CUSTOMER, {"id": "9" * 5000}),
        ("customers", CUSTOMER, {"id": "1" + "0" * 22}),
        ("customers", CUSTOMERS, {"after": _cursor("9" * 23)}),
        ("customers", CUSTOMERS, {"after": _cursor("9" * 5000)}),
        (
            "orders",
            "query($a: String) { orders(first: 5, after: $a) { nodes { id } } }",
            {"a": _cursor("1" + "0" * 22)},
        ),
    ],
    ids=[
        "nul-search",
        "nul-tag",
        "nul-product-search",
        "id-5000-digits",
        "id-23-digits",
        "cursor-23-digits",
        "cursor-5000-digits",
        "orders-cursor-23-digits",
    ],
)
async def test_malformed_input_is_bad_user_input(
    graphql: GraphQL, subgraph: str, query: str, variables: dict[str, Any]
) -> None:
    body = await graphql(subgraph, query, **variables)
    assert _codes(body) == ["BAD_USER_INPUT"], body
    await _still_answers(graphql)


async def test_nul_in_a_literal_is_bad_user_input(graphql: GraphQL) -> None:
    body = await graphql(
        "customers", '{ customers(filter: {search: "a\\u0000"}) { nodes { id } } }'
    )
    assert _codes(body) == ["BAD_USER_INPUT"], body


@pytest.mark.parametrize(
    "representation",
    [
        {"id": "1"},
        {"__typename": "Nope", "id": "1"},
        {"__typename": "Query", "id": "1"},
        {"__typename": 7, "id": "1"},
        {"__typename": "Customer"},
        {"__typename": "Customer", "sku": "1"},
        {"__typename": "Customer", "id": "9" * 5000},
        {"__typename": "Customer", "id": {"nested": 1}},
        "Customer:1",
        [],
    ],
    ids=[
        "no-typename",
        "unknown-type",
        "not-an-entity",
        "typename-not-a-string",
        "no-key",
        "wrong-key",
        "huge-id",
        "object-id",
        "string",
        "list",
    ],
)
async def test_malformed_representation_is_bad_user_input(
    graphql: GraphQL, representation: object
) -> None:
    good = {"__typename": "Customer", "id": "1"}
    body = await graphql("customers", ENTITIES, r=[good, representation])
    assert _codes(body) == ["BAD_USER_INPUT"], body
    await _still_answers(graphql)


async def test_entities_batch_is_capped_before_the_database(
    graphql: GraphQL, statements: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from subgraphs.common import entities

    monkeypatch.setattr(entities, "MAX_REPRESENTATIONS", 50)
    statements.reset()
    too_many = [{"__typename": "Customer", "id": str(i)} for i in range(1, 52)]
    body = await graphql("customers", ENTITIES, r=too_many)
    assert _codes(body) == ["BAD_USER_INPUT"], body
    assert statements.count == 0
    body = await graphql("customers", ENTITIES, r=too_many[:50])
    assert len(body["data"]["_entities"]) == 50


async def test_default_entities_cap_is_what_the_router_can_send() -> None:
    from subgraphs.common import entities

    assert 1_000 <= entities.MAX_REPRESENTATIONS <= 20_000


@pytest.mark.parametrize("wildcard", ["%", "_", "%%", "\\"])
async def test_customer_search_matches_wildcards_literally(
    graphql: GraphQL, database: Database, wildcard: str
) -> None:
    async with database.sessions() as session:
        rows = (await session.execute(select(Customer.id, Customer.name, Customer.email))).all()
    expected = sorted(
        row.id for row in rows if wildcard in row.name.lower() or wildcard in row.email
    )[:100]
    body = await graphql("customers", CUSTOMERS, f={"search": wildcard})
    assert [int(node["id"]) for node in body["data"]["customers"]["nodes"]] == expected


@pytest.mark.parametrize("wildcard", ["%", "_", "v_p", "%ip"])
async def test_customer_tag_matches_wildcards_literally(graphql: GraphQL, wildcard: str) -> None:
    body = await graphql("customers", CUSTOMERS, f={"tag": wildcard})
    assert body["data"]["customers"]["nodes"] == [], body


async def test_customer_search_still_finds_by_name(graphql: GraphQL) -> None:
    customer = list(generate.customers(TEST_SCALE))[3]
    body = await graphql("customers", CUSTOMERS, f={"search": customer.name[2:7].upper()})
    assert str(customer.id) in {node["id"] for node in body["data"]["customers"]["nodes"]}
