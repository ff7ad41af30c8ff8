"""The products subgraph of the test fleet: the catalogue and ``topProducts``.

Mirrors ``products`` in ``tools/peers/fixtures/fleet.mjs``: ``topProducts(first)``
slices the catalogue like ``products.slice(0, Math.max(0, first ?? 5))`` (an explicit
null means 5, a negative count means none), and an unknown upc resolves to null.
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.federation import Schema

__all__ = ["PRODUCTS", "Product", "schema"]

DEFAULT_FIRST = 5


@strawberry.federation.type(keys=["upc"])
class Product:
    upc: str
    name: str | None
    price: int | None
    weight: int | None

    @classmethod
    def resolve_reference(cls, **representation: Any) -> Product | None:
        return _PRODUCTS_BY_UPC.get(representation.get("upc"))


PRODUCTS: tuple[Product, ...] = (
    Product(upc="1", name="Table", price=899, weight=100),
    Product(upc="2", name="Couch", price=1299, weight=1000),
    Product(upc="3", name="Chair", price=54, weight=50),
)
_PRODUCTS_BY_UPC: dict[object, Product] = {product.upc: product for product in PRODUCTS}


@strawberry.type
class Query:
    @strawberry.field
    def top_products(self, first: int | None = DEFAULT_FIRST) -> list[Product | None] | None:
        count = DEFAULT_FIRST if first is None else first
        return list(PRODUCTS[: max(0, count)])


schema = Schema(query=Query, federation_version="2.3")
