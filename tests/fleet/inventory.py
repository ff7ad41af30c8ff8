"""The inventory subgraph of the test fleet: stock and the ``@requires`` shipping estimate.

Mirrors ``inventory`` in ``tools/peers/fixtures/fleet.mjs``. ``Product`` is an
extension here whose ``price`` and ``weight`` are ``@external``: they only exist when the
router sends them in the representation, which ``shippingEstimate`` requires. An unknown
upc resolves to null.
"""

from __future__ import annotations

import math
from typing import Any

import strawberry
from strawberry.federation import Schema

__all__ = ["FREE_SHIPPING_ABOVE", "IN_STOCK", "Product", "schema"]

FREE_SHIPPING_ABOVE = 1000
IN_STOCK: dict[str, bool] = {"1": True, "2": False, "3": True}


def _js_round(value: float) -> int:
    """``Math.round``: halves go up (Python's ``round`` goes to even)."""
    return math.floor(value + 0.5)


def _shipping_estimate(root: Product) -> int | None:
    if root.price is None or root.weight is None:
        raise ValueError("price and weight are required")
    return 0 if root.price > FREE_SHIPPING_ABOVE else _js_round(root.weight * 0.5)


@strawberry.federation.type(keys=["upc"], extend=True)
class Product:
    upc: str
    price: int | None = strawberry.federation.field(external=True, default=None)
    weight: int | None = strawberry.federation.field(external=True, default=None)
    in_stock: bool | None

    shipping_estimate: int | None = strawberry.federation.field(
        resolver=_shipping_estimate, requires=["price weight"]
    )

    @classmethod
    def resolve_reference(cls, **representation: Any) -> Product | None:
        upc = representation.get("upc")
        if upc not in IN_STOCK:
            return None
        return cls(
            upc=upc,
            price=representation.get("price"),
            weight=representation.get("weight"),
            in_stock=IN_STOCK[upc],
        )


schema = Schema(types=[Product], federation_version="2.3")
