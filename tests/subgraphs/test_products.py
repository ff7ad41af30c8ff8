"""The products subgraph over HTTP: queries, filters, pagination, mutations, entities, errors."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

from sqlalchemy import select

from models.database import Database
from models.products import Product
from models.seed import generate
from tests.conftest import TEST_SCALE, GraphQL, StatementCounter

_unique = itertools.count(1)

FIELDS = (
    "id sku name description category price { amount currency minorUnits }"
    " weightGrams status listedAt createdAt"
)
CREATE = f"mutation($input: CreateProductInput!) {{ createProduct(input: $input) {{ {FIELDS} }} }}"
LIST = "mutation($id: ID!) { listProduct(id: $id) { id status listedAt } }"
DELIST = "mutation($id: ID!) { delistProduct(id: $id) { id status listedAt } }"
UPDATE_PRICE = """mutation($id: ID!, $price: PriceInput!) {
  updatePrice(id: $id, price: $price) { id price { amount currency minorUnits } } }"""


def _sku() -> str:
    return f"TEST-{next(_unique):05d}"


def _input(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "sku": _sku(),
        "name": "Test Kettle",
        "category": "kitchen",
        "price": {"amount": "129.90", "currency": "CNY"},
        "weightGrams": 1200,
        "description": "Boils water.",
    }
    return {**values, **overrides}


async def _product_rows(database: Database) -> list[tuple[Any, ...]]:
    """Every product row as a tuple: compared before and after a rejected mutation."""
    async with database.sessions() as session:
        result = await session.execute(select(Product.__table__).order_by(Product.id))
        return [tuple(row) for row in result]


async def _create(graphql: GraphQL, **overrides: Any) -> dict[str, Any]:
    body = await graphql("products", CREATE, input=_input(**overrides))
    created: dict[str, Any] = body["data"]["createProduct"]
    return created


def _code(body: dict[str, Any]) -> str:
    code: str = body["errors"][0]["extensions"]["code"]
    return code


async def test_product_by_id_matches_the_seed(graphql: GraphQL) -> None:
    expected = generate.product(TEST_SCALE, 3)
    body = await graphql("products", f'{{ product(id: "3") {{ {FIELDS} }} }}')
    product = body["data"]["product"]
    assert product["sku"] == expected.sku
    assert product["name"] == expected.name
    assert product["category"] == expected.category
    assert product["weightGrams"] == expected.weight_grams
    assert product["price"]["minorUnits"] == expected.price_minor
    assert product["price"]["amount"] == f"{expected.price_minor / 100:.2f}"
    assert product["price"]["currency"] == "CNY"
    assert product["createdAt"].startswith(expected.created_at.date().isoformat())


async def test_product_by_sku_and_unknown_products(graphql: GraphQL) -> None:
    expected = generate.product(TEST_SCALE, 5)
    body = await graphql(
        "products",
        "query($sku: String!) { bySku: productBySku(sku: $sku) { id name }"
        ' none: productBySku(sku: "SKU-999999") { id } missing: product(id: "999999") { id } }',
        sku=expected.sku.lower(),
    )
    assert body["data"] == {
        "bySku": {"id": "5", "name": expected.name},
        "none": None,
        "missing": None,
    }


async def test_malformed_id_and_sku_are_bad_user_input(graphql: GraphQL) -> None:
    body = await graphql("products", '{ product(id: "-3") { id } }')
    assert _code(body) == "BAD_USER_INPUT"
    body = await graphql("products", '{ productBySku(sku: "no spaces!") { id } }')
    assert _code(body) == "BAD_USER_INPUT"


async def test_pages_walk_every_product_once(graphql: GraphQL) -> None:
    seen: list[str] = []
    after = None
    while True:
        body = await graphql(
            "products",
            "query($after: String) { products(first: 10, after: $after) {"
            " edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }",
            after=after,
        )
        page = body["data"]["products"]
        seen.extend(edge["node"]["id"] for edge in page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen[: TEST_SCALE.product_count] == [
        str(i) for i in range(1, TEST_SCALE.product_count + 1)
    ]
    assert len(seen) == len(set(seen))


async def test_filter_by_category_status_and_search(graphql: GraphQL) -> None:
    seeded = list(generate.products(TEST_SCALE))
    toys = {p.id for p in seeded if p.category == "toys"}
    listed_toys = {p.id for p in seeded if p.category == "toys" and p.status == "LISTED"}
    drafts = {p.id for p in seeded if p.status == "DRAFT"}
    body = await graphql(
        "products",
        '{ toys: products(first: 100, filter: {category: "Toys"}) { nodes { id category } }'
        '  listedToys: products(first: 100, filter: {category: "toys", status: LISTED})'
        "  { nodes { id status } }"
        "  drafts: products(first: 100, filter: {status: DRAFT}) { nodes { id } }"
        '  sku: products(first: 100, filter: {search: "sku-00001"}) { nodes { id } } }',
    )
    data = body["data"]
    seeded_ids = range(1, TEST_SCALE.product_count + 1)
    assert {int(n["id"]) for n in data["toys"]["nodes"] if int(n["id"]) in seeded_ids} == toys
    assert {n["category"] for n in data["toys"]["nodes"]} == {"toys"}
    assert {
        int(n["id"]) for n in data["listedToys"]["nodes"] if int(n["id"]) in seeded_ids
    } == listed_toys
    assert {n["status"] for n in data["listedToys"]["nodes"]} == {"LISTED"}
    assert {int(n["id"]) for n in data["drafts"]["nodes"]} >= drafts
    assert [n["id"] for n in data["sku"]["nodes"]] == [str(i) for i in range(10, 20)]


async def test_search_matches_names_and_treats_wildcards_literally(graphql: GraphQL) -> None:
    name = generate.product(TEST_SCALE, 7).name
    created = await _create(graphql, name="100% Cotton_Towel")
    body = await graphql(
        "products",
        "query($a: String, $b: String) {"
        " a: products(first: 100, filter: {search: $a}) { nodes { id name } }"
        " b: products(first: 100, filter: {search: $b}) { nodes { id } } }",
        a=name.upper(),
        b="0% cotton_",
    )
    assert all(name.lower() in node["name"].lower() for node in body["data"]["a"]["nodes"])
    assert "7" in {node["id"] for node in body["data"]["a"]["nodes"]}
    assert body["data"]["b"]["nodes"] == [{"id": created["id"]}]


async def test_bad_cursor_page_size_and_enum(graphql: GraphQL) -> None:
    body = await graphql("products", '{ products(after: "bogus") { nodes { id } } }')
    assert _code(body) == "BAD_USER_INPUT"
    body = await graphql("products", "{ products(first: -1) { nodes { id } } }")
    assert _code(body) == "BAD_USER_INPUT"
    body = await graphql("products", "{ products(filter: {status: SOLD}) { nodes { id } } }")
    assert _code(body) == "GRAPHQL_VALIDATION_FAILED"
    body = await graphql(
        "products",
        "query($s: ProductStatus) { products(filter: {status: $s}) { nodes { id } } }",
        s="SOLD",
    )
    assert _code(body) == "BAD_USER_INPUT"
    body = await graphql(
        "products", '{ products(filter: {category: "no spaces"}) { nodes { id } } }'
    )
    assert _code(body) == "BAD_USER_INPUT"


async def test_create_product(graphql: GraphQL) -> None:
    sku = _sku()
    created = await _create(
        graphql,
        sku=f" {sku.lower()} ",
        name=" Jade Teapot ",
        category="Kitchen",
        price={"amount": "1999.5", "currency": "usd"},
    )
    assert created["sku"] == sku
    assert created["name"] == "Jade Teapot"
    assert created["category"] == "kitchen"
    assert created["price"] == {"amount": "1999.50", "currency": "USD", "minorUnits": 199950}
    assert created["status"] == "DRAFT"
    assert created["listedAt"] is None
    again = await graphql(
        "products", "query($sku: String!) { productBySku(sku: $sku) { id } }", sku=sku
    )
    assert again["data"]["productBySku"] == {"id": created["id"]}
    yen = await _create(graphql, price={"amount": "1500", "currency": "JPY"})
    assert yen["price"] == {"amount": "1500", "currency": "JPY", "minorUnits": 1500}


async def test_invalid_products_change_nothing(graphql: GraphQL, database: Database) -> None:
    before = await _product_rows(database)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"sku": "x"}, "BAD_USER_INPUT"),
        ({"sku": "HAS SPACE"}, "BAD_USER_INPUT"),
        ({"sku": generate.product(TEST_SCALE, 1).sku}, "CONFLICT"),
        ({"name": "   "}, "BAD_USER_INPUT"),
        ({"category": ""}, "BAD_USER_INPUT"),
        ({"price": {"amount": "0", "currency": "CNY"}}, "BAD_USER_INPUT"),
        ({"price": {"amount": "-5.00", "currency": "CNY"}}, "BAD_USER_INPUT"),
        ({"price": {"amount": "1.005", "currency": "CNY"}}, "BAD_USER_INPUT"),
        ({"price": {"amount": "12.5", "currency": "JPY"}}, "BAD_USER_INPUT"),
        ({"price": {"amount": "10.00", "currency": "XYZ"}}, "BAD_USER_INPUT"),
        ({"price": {"amount": "10.00", "currency": "yuan"}}, "BAD_USER_INPUT"),
        ({"price": {"amount": "NaN", "currency": "CNY"}}, "BAD_USER_INPUT"),
        ({"price": {"amount": "not a number", "currency": "CNY"}}, "BAD_USER_INPUT"),
        ({"weightGrams": -1}, "BAD_USER_INPUT"),
    ]
    for overrides, code in cases:
        body = await graphql("products", CREATE, input=_input(**overrides))
        assert body.get("data") is None or body["data"].get("createProduct") is None, overrides
        assert _code(body) == code, (overrides, body)
    assert await _product_rows(database) == before


async def test_update_price(graphql: GraphQL, database: Database) -> None:
    created = await _create(graphql)
    body = await graphql(
        "products", UPDATE_PRICE, id=created["id"], price={"amount": "99.99", "currency": "CNY"}
    )
    assert body["data"]["updatePrice"]["price"] == {
        "amount": "99.99",
        "currency": "CNY",
        "minorUnits": 9999,
    }
    before = await _product_rows(database)
    body = await graphql(
        "products", UPDATE_PRICE, id=created["id"], price={"amount": "-1", "currency": "CNY"}
    )
    assert _code(body) == "BAD_USER_INPUT"
    body = await graphql(
        "products", UPDATE_PRICE, id="987654", price={"amount": "1", "currency": "CNY"}
    )
    assert _code(body) == "NOT_FOUND"
    body = await graphql(
        "products", UPDATE_PRICE, id="abc", price={"amount": "1", "currency": "CNY"}
    )
    assert _code(body) == "BAD_USER_INPUT"
    assert await _product_rows(database) == before


async def test_listing_lifecycle(graphql: GraphQL, database: Database) -> None:
    created = await _create(graphql)
    listed = (await graphql("products", LIST, id=created["id"]))["data"]["listProduct"]
    assert listed["status"] == "LISTED"
    assert listed["listedAt"] is not None
    before = await _product_rows(database)
    body = await graphql("products", LIST, id=created["id"])
    assert _code(body) == "CONFLICT"
    assert body["errors"][0]["extensions"]["status"] == "LISTED"
    assert await _product_rows(database) == before
    delisted = (await graphql("products", DELIST, id=created["id"]))["data"]["delistProduct"]
    assert delisted == {"id": created["id"], "status": "DELISTED", "listedAt": listed["listedAt"]}
    before = await _product_rows(database)
    assert _code(await graphql("products", DELIST, id=created["id"])) == "CONFLICT"
    assert await _product_rows(database) == before
    relisted = (await graphql("products", LIST, id=created["id"]))["data"]["listProduct"]
    assert relisted["status"] == "LISTED"
    assert relisted["listedAt"] >= listed["listedAt"]


async def test_draft_cannot_be_delisted_and_unknown_is_not_found(
    graphql: GraphQL, database: Database
) -> None:
    created = await _create(graphql)
    before = await _product_rows(database)
    assert _code(await graphql("products", DELIST, id=created["id"])) == "CONFLICT"
    assert _code(await graphql("products", LIST, id="987654")) == "NOT_FOUND"
    assert _code(await graphql("products", DELIST, id="0")) == "BAD_USER_INPUT"
    assert await _product_rows(database) == before


async def test_concurrent_listings_succeed_once(graphql: GraphQL) -> None:
    created = await _create(graphql)
    bodies = await asyncio.gather(*(graphql("products", LIST, id=created["id"]) for _ in range(5)))
    outcomes = sorted("errors" in body for body in bodies)
    assert outcomes == [False, True, True, True, True]
    assert {_code(body) for body in bodies if "errors" in body} == {"CONFLICT"}


async def test_entities_by_id_and_by_sku(graphql: GraphQL) -> None:
    body = await graphql("products", "{ _service { sdl } }")
    sdl = body["data"]["_service"]["sdl"]
    assert '@key(fields: "id") @key(fields: "sku")' in sdl
    body = await graphql(
        "products",
        "query($r: [_Any!]!) { _entities(representations: $r) {"
        " ... on Product { id sku status price { minorUnits currency } } } }",
        r=[
            {"__typename": "Product", "id": "2"},
            {"__typename": "Product", "sku": generate.product(TEST_SCALE, 4).sku},
            {"__typename": "Product", "id": "424242"},
        ],
    )
    second, fourth = generate.product(TEST_SCALE, 2), generate.product(TEST_SCALE, 4)
    assert body["data"]["_entities"] == [
        {
            "id": "2",
            "sku": second.sku,
            "status": second.status,
            "price": {"minorUnits": second.price_minor, "currency": "CNY"},
        },
        {
            "id": "4",
            "sku": fourth.sku,
            "status": fourth.status,
            "price": {"minorUnits": fourth.price_minor, "currency": "CNY"},
        },
        None,
    ]


async def test_bad_representations_are_errors_not_crashes(graphql: GraphQL) -> None:
    body = await graphql(
        "products",
        "query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { id } } }",
        r=[{"__typename": "Product", "id": "x1"}, {"__typename": "Product"}],
    )
    assert body["data"]["_entities"] == [None, None]
    assert {error["extensions"]["code"] for error in body["errors"]} == {"BAD_USER_INPUT"}


async def test_entity_batch_costs_one_statement_per_key_kind(
    graphql: GraphQL, statements: StatementCounter
) -> None:
    query = (
        "query($r: [_Any!]!) { _entities(representations: $r) {"
        " ... on Product { id name price { amount } } } }"
    )
    counts = []
    for size in (5, 50):
        representations = [
            {"__typename": "Product", "id": str(i)}
            if i % 2
            else {"__typename": "Product", "sku": f"SKU-{i:06d}"}
            for i in range(1, size + 1)
        ]
        statements.reset()
        body = await graphql("products", query, r=representations)
        assert len(body["data"]["_entities"]) == size
        counts.append(statements.count)
    assert counts[0] == counts[1] == 2
