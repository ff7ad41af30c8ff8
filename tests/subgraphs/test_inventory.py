"""The inventory subgraph over HTTP: warehouses, Product stock and shipping (@requires),
stock adjustments, the reservation API (all or nothing, idempotent, no overselling), errors,
and the seeder."""

from __future__ import annotations

import asyncio
import itertools
import subprocess
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from models.database import Database, open_database
from models.inventory import Reservation, StockLevel, Warehouse
from models.seed.generate import Scale
from models.seed.inventory import WAREHOUSES, stock_quantity
from models.seed.run import seed_domain
from subgraphs.common.schema import service_sdl
from subgraphs.customers.schema import schema as customers_schema
from subgraphs.inventory.schema import schema as inventory_schema
from subgraphs.products.schema import schema as products_schema
from tests.conftest import TEST_SCALE, GraphQL, StatementCounter
from tests.peers import PEERS_DIR, needs_node

# Products no seed (nor any other domain's test) uses: each test gets its own.
_fresh_products = itertools.count(800_001)
_references = itertools.count(1)

ADJUST = """mutation($p: ID!, $w: String!, $d: Int!) {
  adjustStock(productId: $p, warehouseCode: $w, delta: $d) {
    onHand reserved available product { id } warehouse { code } } }"""
RESERVE = """mutation($ref: String!, $lines: [ReservationLineInput!]!) {
  reserveStock(reference: $ref, lines: $lines) {
    id reference quantity status product { id } warehouse { code } } }"""
RELEASE = "mutation($ref: String!) { releaseReservation(reference: $ref) }"
FULFILL = "mutation($ref: String!) { fulfillReservation(reference: $ref) }"
STOCK = """query($r: [_Any!]!) { _entities(representations: $r) { ... on Product {
  id inStock availableQuantity stock { onHand reserved available warehouse { code } } } } }"""
SHIPPING = """query($r: [_Any!]!) { _entities(representations: $r) { ... on Product {
  id shippingEstimate { cost { amount currency minorUnits } days } } } }"""
CODES = [code for code, _, _ in WAREHOUSES[: TEST_SCALE.warehouses]]


def _reference() -> str:
    return f"order:test-{next(_references)}"


def _code(body: dict[str, Any]) -> str:
    code: str = body["errors"][0]["extensions"]["code"]
    return code


async def _new_product(graphql: GraphQL) -> str:
    """A product created in the products domain (inventory only stocks products it knows)."""
    body = await graphql(
        "products",
        "mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }",
        input={
            "sku": f"INV-{next(_fresh_products)}",
            "name": "Stocked Kettle",
            "category": "inventory-tests",
            "price": {"amount": "10.00", "currency": "CNY"},
        },
    )
    product_id: str = body["data"]["createProduct"]["id"]
    return product_id


async def _stocked_product(graphql: GraphQL, *quantities: int) -> str:
    """A product new to inventory with ``quantities[i]`` units in warehouse ``CODES[i]``."""
    product_id = await _new_product(graphql)
    for code, quantity in zip(CODES, quantities, strict=False):
        if quantity:
            body = await graphql("inventory", ADJUST, p=product_id, w=code, d=quantity)
            assert body["data"]["adjustStock"]["onHand"] == quantity, body
    return product_id


async def _stock(graphql: GraphQL, product_id: str) -> dict[str, Any]:
    body = await graphql("inventory", STOCK, r=[{"__typename": "Product", "id": product_id}])
    product: dict[str, Any] = body["data"]["_entities"][0]
    return product


async def _inventory_rows(database: Database) -> list[tuple[Any, ...]]:
    """Stock levels and reservations: compared before and after a rejected mutation."""
    async with database.sessions() as session:
        stock = await session.execute(
            select(StockLevel.__table__).order_by(StockLevel.product_id, StockLevel.warehouse_id)
        )
        reservations = await session.execute(select(Reservation.__table__).order_by(Reservation.id))
        return [tuple(row) for row in stock] + [tuple(row) for row in reservations]


def _line(product_id: str, quantity: int) -> dict[str, Any]:
    return {"productId": product_id, "quantity": quantity}


async def test_warehouses_and_their_stock_pages(graphql: GraphQL) -> None:
    body = await graphql(
        "inventory",
        '{ warehouses { code name region } warehouse(code: "sh-01") { id code }'
        ' nowhere: warehouse(code: "XX-99") { id } }',
    )
    assert sorted(w["code"] for w in body["data"]["warehouses"]) == sorted(CODES)
    assert body["data"]["warehouse"] == {"id": "1", "code": "SH-01"}
    assert body["data"]["nowhere"] is None
    seen: list[str] = []
    after = None
    while True:
        body = await graphql(
            "inventory",
            'query($after: String) { warehouse(code: "SZ-01") { stock(first: 7, after: $after) {'
            " nodes { product { id } warehouse { code } } pageInfo { hasNextPage endCursor } } } }",
            after=after,
        )
        page = body["data"]["warehouse"]["stock"]
        assert {node["warehouse"]["code"] for node in page["nodes"]} <= {"SZ-01"}
        seen.extend(node["product"]["id"] for node in page["nodes"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen[: TEST_SCALE.product_count] == [
        str(i) for i in range(1, TEST_SCALE.product_count + 1)
    ]
    assert len(seen) == len(set(seen))
    body = await graphql(
        "inventory", '{ warehouse(code: "SZ-01") { stock(after: "nope") { nodes { onHand } } } }'
    )
    assert _code(body) == "BAD_USER_INPUT"
    body = await graphql("inventory", '{ warehouse(code: "") { id } }')
    assert _code(body) == "BAD_USER_INPUT"


async def test_every_warehouse_with_stock_costs_two_statements(
    graphql: GraphQL, statements: StatementCounter
) -> None:
    statements.reset()
    body = await graphql(
        "inventory", "{ warehouses { code stock(first: 5) { nodes { onHand product { id } } } } }"
    )
    assert [len(w["stock"]["nodes"]) for w in body["data"]["warehouses"]] == [5] * len(CODES)
    assert statements.count == 2


async def test_product_stock_fields(graphql: GraphQL, database: Database) -> None:
    product = await _stocked_product(graphql, 5, 0, 7)
    assert await _stock(graphql, product) == {
        "id": product,
        "inStock": True,
        "availableQuantity": 12,
        "stock": [
            {"onHand": 5, "reserved": 0, "available": 5, "warehouse": {"code": CODES[0]}},
            {"onHand": 7, "reserved": 0, "available": 7, "warehouse": {"code": CODES[2]}},
        ],
    }
    unknown = await _stock(graphql, "799999")
    assert unknown == {"id": "799999", "inStock": False, "availableQuantity": 0, "stock": []}
    async with database.sessions() as session:
        level = await session.get(StockLevel, (3, 2))
    assert level is not None
    seeded = await _stock(graphql, "3")
    assert [s["onHand"] for s in seeded["stock"] if s["warehouse"]["code"] == CODES[1]] == [
        level.on_hand
    ]


async def test_shipping_estimate_uses_required_price_and_weight(graphql: GraphQL) -> None:
    stocked = await _stocked_product(graphql, 3)
    empty = str(next(_fresh_products))

    def representation(product_id: str, minor: int, currency: str, grams: int) -> dict[str, Any]:
        return {
            "__typename": "Product",
            "id": product_id,
            "price": {"minorUnits": minor, "currency": currency},
            "weightGrams": grams,
        }

    body = await graphql(
        "inventory",
        SHIPPING,
        r=[
            representation(stocked, 19_900, "CNY", 30_000),
            representation(stocked, 19_899, "CNY", 1_000),
            representation(stocked, 5_000, "CNY", 2_500),
            representation(empty, 5_000, "CNY", 12_000),
            representation(stocked, 150, "JPY", 800),
        ],
    )
    estimates = [entity["shippingEstimate"] for entity in body["data"]["_entities"]]
    assert estimates == [
        {"cost": {"amount": "0.00", "currency": "CNY", "minorUnits": 0}, "days": 3},
        {"cost": {"amount": "8.00", "currency": "CNY", "minorUnits": 800}, "days": 2},
        {"cost": {"amount": "12.00", "currency": "CNY", "minorUnits": 1200}, "days": 2},
        {"cost": {"amount": "30.00", "currency": "CNY", "minorUnits": 3000}, "days": 10},
        {"cost": {"amount": "8", "currency": "JPY", "minorUnits": 8}, "days": 2},
    ]


async def test_shipping_estimate_without_requires_is_bad_user_input(graphql: GraphQL) -> None:
    body = await graphql(
        "inventory",
        SHIPPING,
        r=[
            {"__typename": "Product", "id": "1"},
            {"__typename": "Product", "id": "1", "price": "12", "weightGrams": 5},
        ],
    )
    # The field is nullable (resilience through the router), so only it is nulled.
    assert body["data"]["_entities"] == [{"id": "1", "shippingEstimate": None}] * 2
    assert {e["extensions"]["code"] for e in body["errors"]} == {"BAD_USER_INPUT"}
    assert len(body["errors"]) == 2


async def test_entity_batch_costs_the_same_for_5_or_50(
    graphql: GraphQL, statements: StatementCounter
) -> None:
    query = """query($r: [_Any!]!) { _entities(representations: $r) { ... on Product {
      inStock availableQuantity stock { available warehouse { code region } }
      shippingEstimate { days cost { amount } } } } }"""
    counts = []
    for size in (5, 50):
        representations = [
            {
                "__typename": "Product",
                "id": str(i),
                "price": {"minorUnits": 1000 * i, "currency": "CNY"},
                "weightGrams": 100 * i,
            }
            for i in range(1, size + 1)
        ]
        statements.reset()
        body = await graphql("inventory", query, r=representations)
        assert "errors" not in body, body
        assert len(body["data"]["_entities"]) == size
        counts.append(statements.count)
    assert counts[0] == counts[1] == 2


async def test_adjust_stock(graphql: GraphQL, database: Database) -> None:
    product = await _stocked_product(graphql, 10)
    body = await graphql("inventory", ADJUST, p=product, w="sh-01", d=-4)
    assert body["data"]["adjustStock"] == {
        "onHand": 6,
        "reserved": 0,
        "available": 6,
        "product": {"id": product},
        "warehouse": {"code": "SH-01"},
    }
    await graphql("inventory", RESERVE, ref=_reference(), lines=[_line(product, 5)])
    before = await _inventory_rows(database)
    body = await graphql("inventory", ADJUST, p=product, w="SH-01", d=-2)
    assert _code(body) == "CONFLICT"
    assert body["errors"][0]["extensions"]["productId"] == product
    assert _code(await graphql("inventory", ADJUST, p=product, w="SH-01", d=0)) == "BAD_USER_INPUT"
    assert _code(await graphql("inventory", ADJUST, p=product, w="XX-01", d=5)) == "NOT_FOUND"
    assert _code(await graphql("inventory", ADJUST, p="x", w="SH-01", d=5)) == "BAD_USER_INPUT"
    body = await graphql("inventory", ADJUST, p=await _new_product(graphql), w="SH-01", d=-1)
    assert _code(body) == "CONFLICT"
    body = await graphql("inventory", ADJUST, p=str(next(_fresh_products)), w="SH-01", d=-1)
    assert _code(body) == "NOT_FOUND"
    assert _code(await graphql("inventory", ADJUST, p=product, w="SH-01", d=10**9)) == (
        "BAD_USER_INPUT"
    )
    assert await _inventory_rows(database) == before
    body = await graphql("inventory", ADJUST, p=product, w="SH-01", d=-1)
    assert body["data"]["adjustStock"]["available"] == 0


async def test_reserve_release_and_reserve_again(graphql: GraphQL) -> None:
    product = await _stocked_product(graphql, 4, 6)
    reference = _reference()
    body = await graphql("inventory", RESERVE, ref=reference, lines=[_line(product, 5)])
    reservations = body["data"]["reserveStock"]
    assert [(r["quantity"], r["warehouse"]["code"], r["status"]) for r in reservations] == [
        (5, CODES[1], "ACTIVE")
    ]
    assert reservations[0]["reference"] == reference
    assert reservations[0]["product"] == {"id": product}
    assert (await _stock(graphql, product))["availableQuantity"] == 5
    assert (await graphql("inventory", RELEASE, ref=reference))["data"] == {"releaseReservation": 1}
    assert (await graphql("inventory", RELEASE, ref=reference))["data"] == {"releaseReservation": 0}
    assert (await _stock(graphql, product))["availableQuantity"] == 10
    again = await graphql("inventory", RESERVE, ref=reference, lines=[_line(product, 5)])
    assert again["data"]["reserveStock"][0]["id"] != reservations[0]["id"]
    body = await graphql(
        "inventory",
        "query($ref: String!) { reservations(reference: $ref) { status } }",
        ref=reference,
    )
    assert [r["status"] for r in body["data"]["reservations"]] == ["RELEASED", "ACTIVE"]


async def test_reservation_splits_across_warehouses(graphql: GraphQL) -> None:
    product = await _stocked_product(graphql, 4, 6, 3)
    body = await graphql("inventory", RESERVE, ref=_reference(), lines=[_line(product, 12)])
    taken = {(r["warehouse"]["code"], r["quantity"]) for r in body["data"]["reserveStock"]}
    assert taken == {(CODES[1], 6), (CODES[0], 4), (CODES[2], 2)}
    stock = await _stock(graphql, product)
    assert stock["availableQuantity"] == 1
    assert [s["reserved"] for s in stock["stock"]] == [4, 6, 2]


async def test_same_reference_is_idempotent(graphql: GraphQL, database: Database) -> None:
    first, second = await _stocked_product(graphql, 10), await _stocked_product(graphql, 10)
    reference = _reference()
    lines = [_line(first, 2), _line(second, 3), _line(first, 1)]
    created = (await graphql("inventory", RESERVE, ref=reference, lines=lines))["data"]
    before = await _inventory_rows(database)
    repeated = (await graphql("inventory", RESERVE, ref=reference, lines=lines))["data"]
    assert repeated == created
    assert [(r["product"]["id"], r["quantity"]) for r in created["reserveStock"]] == [
        (first, 3),
        (second, 3),
    ]
    body = await graphql("inventory", RESERVE, ref=reference, lines=[_line(first, 4)])
    assert _code(body) == "CONFLICT"
    assert await _inventory_rows(database) == before


async def test_insufficient_stock_reserves_nothing(graphql: GraphQL, database: Database) -> None:
    plenty, scarce = await _stocked_product(graphql, 50), await _stocked_product(graphql, 1, 1)
    before = await _inventory_rows(database)
    body = await graphql(
        "inventory", RESERVE, ref=_reference(), lines=[_line(plenty, 5), _line(scarce, 3)]
    )
    assert body["data"] is None
    assert _code(body) == "CONFLICT"
    assert body["errors"][0]["extensions"]["productId"] == scarce
    assert body["errors"][0]["extensions"]["available"] == 2
    unknown = str(next(_fresh_products))
    body = await graphql("inventory", RESERVE, ref=_reference(), lines=[_line(unknown, 1)])
    assert (
        body["errors"][0]["extensions"] | {"code": "CONFLICT", "productId": unknown}
        == (body["errors"][0]["extensions"])
    )
    assert await _inventory_rows(database) == before


async def test_bad_reservation_input_changes_nothing(graphql: GraphQL, database: Database) -> None:
    product = await _stocked_product(graphql, 10)
    before = await _inventory_rows(database)
    cases: list[tuple[str, list[dict[str, Any]]]] = [
        (_reference(), [_line(product, 0)]),
        (_reference(), [_line(product, -2)]),
        (_reference(), [_line(product, 1), _line(product, -1)]),
        (_reference(), []),
        (_reference(), [_line("abc", 1)]),
        ("   ", [_line(product, 1)]),
        ("x" * 200, [_line(product, 1)]),
    ]
    for reference, lines in cases:
        body = await graphql("inventory", RESERVE, ref=reference, lines=lines)
        assert _code(body) == "BAD_USER_INPUT", (reference, lines, body)
    assert _code(await graphql("inventory", RELEASE, ref="")) == "BAD_USER_INPUT"
    assert _code(await graphql("inventory", FULFILL, ref="")) == "BAD_USER_INPUT"
    body = await graphql(
        "inventory",
        RESERVE,
        ref=_reference(),
        lines=[{"productId": product, "quantity": "lots"}],
    )
    assert _code(body) == "BAD_USER_INPUT"
    assert await _inventory_rows(database) == before


async def test_fulfil_takes_units_out(graphql: GraphQL) -> None:
    product = await _stocked_product(graphql, 10, 2)
    reference = _reference()
    await graphql("inventory", RESERVE, ref=reference, lines=[_line(product, 11)])
    assert (await graphql("inventory", FULFILL, ref=reference))["data"] == {"fulfillReservation": 2}
    stock = await _stock(graphql, product)
    assert [(s["onHand"], s["reserved"]) for s in stock["stock"]] == [(0, 0), (1, 0)]
    assert (await graphql("inventory", FULFILL, ref=reference))["data"] == {"fulfillReservation": 0}
    assert (await graphql("inventory", RELEASE, ref=reference))["data"] == {"releaseReservation": 0}
    again = await graphql("inventory", RESERVE, ref=reference, lines=[_line(product, 11)])
    assert [r["status"] for r in again["data"]["reserveStock"]] == ["FULFILLED", "FULFILLED"]
    assert (await _stock(graphql, product))["availableQuantity"] == 1


async def test_concurrent_reservations_never_oversell(graphql: GraphQL) -> None:
    product = await _stocked_product(graphql, 6, 4)
    bodies = await asyncio.gather(
        *(
            graphql("inventory", RESERVE, ref=_reference(), lines=[_line(product, 1)])
            for _ in range(16)
        )
    )
    succeeded = [body for body in bodies if body.get("data")]
    failed = [body for body in bodies if not body.get("data")]
    assert len(succeeded) == 10
    assert {_code(body) for body in failed} == {"CONFLICT"}
    stock = await _stock(graphql, product)
    assert stock["availableQuantity"] == 0
    assert [(s["onHand"], s["reserved"]) for s in stock["stock"]] == [(6, 6), (4, 4)]


async def test_concurrent_same_reference_reserves_once(graphql: GraphQL) -> None:
    product = await _stocked_product(graphql, 20)
    reference = _reference()
    bodies = await asyncio.gather(
        *(graphql("inventory", RESERVE, ref=reference, lines=[_line(product, 3)]) for _ in range(6))
    )
    assert len({body["data"]["reserveStock"][0]["id"] for body in bodies}) == 1
    assert (await _stock(graphql, product))["availableQuantity"] == 17


async def test_seeder_gives_every_product_stock_everywhere(tmp_path: Path) -> None:
    scale = Scale(customers=10, orders=10, products=9, warehouses=7, seed=3)
    database = open_database(f"sqlite+aiosqlite:///{tmp_path / 'inventory.db'}")
    try:
        assert await seed_domain(database, "inventory", scale, show_progress=False)
        async with database.sessions() as session:
            warehouses = list(await session.scalars(select(Warehouse).order_by(Warehouse.id)))
            levels = list(await session.scalars(select(StockLevel)))
    finally:
        await database.dispose()
    assert [w.code for w in warehouses] == [code for code, _, _ in WAREHOUSES] + [
        "WH-006",
        "WH-007",
    ]
    assert len(levels) == 9 * 7
    assert all(
        level.on_hand == stock_quantity(scale, level.product_id, level.warehouse_id)
        and level.reserved == 0
        for level in levels
    )
    assert sum(level.on_hand for level in levels) > 9 * 7 * 100 // 2


@pytest.mark.node
@needs_node
def test_apollo_composes_products_and_inventory_without_hints(tmp_path: Path) -> None:
    """Product's two keys, the @external fields and the @requires selection as Apollo reads them."""
    arguments = []
    for name, schema in (
        ("customers", customers_schema),
        ("products", products_schema),
        ("inventory", inventory_schema),
    ):
        path = tmp_path / f"{name}.graphql"
        path.write_text(service_sdl(schema))
        arguments += [f"{name}={path}", "--url", f"{name}=http://127.0.0.1/{name}"]
    result = subprocess.run(
        ["node", str(PEERS_DIR / "compose.mjs"), *arguments, "--hints"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "hint " not in result.stderr and "error " not in result.stderr, result.stderr
    assert (
        '@join__field(graph: INVENTORY, requires: "price { minorUnits currency } weightGrams")'
        in (result.stdout)
    )
