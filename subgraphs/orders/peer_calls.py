"""What the orders domain asks of the others, over GraphQL through ``Peers``: does the
customer exist (customers), what do the products cost (products), and the stock
reservation of an order (inventory)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from subgraphs.common.peers import Peers
from subgraphs.common.reservation_references import reservation_reference
from subgraphs.orders.validation import RequestedLine

__all__ = [
    "ProductQuote",
    "customer_exists",
    "fulfill_reservation",
    "product_quotes",
    "release_reservation",
    "reservation_reference",
    "reserve_stock",
]

_CUSTOMERS = """query($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on Customer { id } }
}"""

_PRODUCTS = """query($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on Product { id status price { minorUnits currency } }
  }
}"""

_RESERVE = """mutation($reference: String!, $lines: [ReservationLineInput!]!) {
  reserveStock(reference: $reference, lines: $lines) { __typename }
}"""

_RELEASE = "mutation($reference: String!) { releaseReservation(reference: $reference) }"
_FULFILL = "mutation($reference: String!) { fulfillReservation(reference: $reference) }"


class ProductQuote(NamedTuple):
    """A product as the products domain sees it now: its status and price."""

    product_id: int
    status: str
    price_minor: int
    currency: str


def _representations(typename: str, ids: Sequence[int]) -> list[dict[str, str]]:
    return [{"__typename": typename, "id": str(id_)} for id_ in ids]


async def customer_exists(peers: Peers, customer_id: int) -> bool:
    data = await peers.query(
        "customers", _CUSTOMERS, {"representations": _representations("Customer", [customer_id])}
    )
    return bool(data["_entities"] and data["_entities"][0])


def _quote(product_id: int, entity: dict[str, Any] | None) -> ProductQuote | None:
    if not entity:
        return None
    price = entity["price"]
    return ProductQuote(product_id, entity["status"], int(price["minorUnits"]), price["currency"])


async def product_quotes(peers: Peers, product_ids: Sequence[int]) -> list[ProductQuote | None]:
    """One quote per id, in order; ``None`` for a product that does not exist."""
    data = await peers.query(
        "products", _PRODUCTS, {"representations": _representations("Product", product_ids)}
    )
    entities: list[dict[str, Any] | None] = data["_entities"]
    return [_quote(id_, entity) for id_, entity in zip(product_ids, entities, strict=True)]


async def reserve_stock(peers: Peers, reference: str, lines: Sequence[RequestedLine]) -> None:
    """All or nothing; CONFLICT from inventory when stock is short (re-raised as is)."""
    await peers.query(
        "inventory",
        _RESERVE,
        {
            "reference": reference,
            "lines": [
                {"productId": str(line.product_id), "quantity": line.quantity} for line in lines
            ],
        },
    )


async def release_reservation(peers: Peers, reference: str) -> int:
    data = await peers.query("inventory", _RELEASE, {"reference": reference})
    return int(data["releaseReservation"])


async def fulfill_reservation(peers: Peers, reference: str) -> int:
    data = await peers.query("inventory", _FULFILL, {"reference": reference})
    return int(data["fulfillReservation"])
