"""``adjustStock`` for a product the products domain does not know is NOT_FOUND and writes
nothing (issue 9, item 11); a real product new to inventory still receives stock."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import func, select

from models.database import Database
from models.inventory import StockLevel
from tests.conftest import GraphQL

ADJUST = """mutation($p: ID!, $d: Int!) {
  adjustStock(productId: $p, warehouseCode: "SH-01", delta: $d) { onHand product { id } } }"""
CREATE = """mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }"""
_unique = itertools.count(1)


async def _levels(database: Database, product_id: int) -> int:
    async with database.sessions() as session:
        count = await session.scalar(
            select(func.count()).select_from(StockLevel).where(StockLevel.product_id == product_id)
        )
    return int(count or 0)


@pytest.mark.parametrize("delta", [5, -1])
async def test_unknown_product_is_not_found(
    graphql: GraphQL, database: Database, delta: int
) -> None:
    unknown = 990_000 + delta
    body = await graphql("inventory", ADJUST, p=str(unknown), d=delta)
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["NOT_FOUND"], body
    assert body["errors"][0]["extensions"]["productId"] == str(unknown)
    assert await _levels(database, unknown) == 0


async def test_new_real_product_receives_stock(graphql: GraphQL, database: Database) -> None:
    created = await graphql(
        "products",
        CREATE,
        input={
            "sku": f"ADJ-{next(_unique):05d}",
            "name": "Adjusted Kettle",
            "category": "inventory-tests",
            "price": {"amount": "10.00", "currency": "CNY"},
        },
    )
    product = created["data"]["createProduct"]["id"]
    body = await graphql("inventory", ADJUST, p=product, d=3)
    assert body["data"]["adjustStock"] == {"onHand": 3, "product": {"id": product}}
    assert await _levels(database, int(product)) == 1
