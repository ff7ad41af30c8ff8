"""Input rules of the inventory domain; each violation is a BAD_USER_INPUT naming its field."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from subgraphs.common.errors import BadUserInput
from subgraphs.common.ids import parse_id

__all__ = [
    "MAX_LINES",
    "MAX_QUANTITY",
    "RequestedLine",
    "clean_delta",
    "clean_lines",
    "clean_reference",
    "clean_warehouse_code",
    "shipping_inputs",
]

MAX_LINES = 100
MAX_QUANTITY = 1_000_000


class RequestedLine(Protocol):
    product_id: Any
    quantity: int


def clean_reference(reference: str) -> str:
    reference = reference.strip()
    if not 1 <= len(reference) <= 128:
        raise BadUserInput("Reference must be 1 to 128 characters", field="reference")
    return reference


def clean_warehouse_code(code: str) -> str:
    code = code.strip().upper()
    if not 1 <= len(code) <= 32:
        raise BadUserInput(f"Invalid warehouse code: {code!r}", field="warehouseCode")
    return code


def _quantity(quantity: int, product_id: int) -> int:
    if not 0 < quantity <= MAX_QUANTITY:
        raise BadUserInput(
            f"Quantity must be between 1 and {MAX_QUANTITY}, got {quantity}",
            field="quantity",
            productId=str(product_id),
        )
    return quantity


def clean_lines(lines: Iterable[RequestedLine]) -> dict[int, int]:
    """Quantity per product id, in ascending product order (duplicate products add up)."""
    totals: dict[int, int] = {}
    count = 0
    for line in lines:
        count += 1
        product_id = parse_id(line.product_id, "productId")
        totals[product_id] = totals.get(product_id, 0) + _quantity(line.quantity, product_id)
    if not 1 <= count <= MAX_LINES:
        raise BadUserInput(f"Give 1 to {MAX_LINES} lines", field="lines")
    for product_id, total in totals.items():
        _quantity(total, product_id)
    return dict(sorted(totals.items()))


def clean_delta(delta: int) -> int:
    if delta == 0 or abs(delta) > MAX_QUANTITY:
        raise BadUserInput(
            f"Delta must be non-zero and at most {MAX_QUANTITY} in size", field="delta"
        )
    return delta


def shipping_inputs(price: object, weight_grams: object) -> tuple[int, str, int]:
    """(price in minor units, currency, weight) from an entity representation's ``@requires``
    fields, or BAD_USER_INPUT when the router sent something else."""
    if isinstance(price, Mapping):
        minor, currency = price.get("minorUnits"), price.get("currency")
        if (
            isinstance(minor, int)
            and isinstance(currency, str)
            and isinstance(weight_grams, int)
            and minor >= 0
            and weight_grams >= 0
        ):
            return minor, currency, weight_grams
    raise BadUserInput(
        "shippingEstimate needs price { minorUnits currency } and weightGrams (@requires)",
        field="shippingEstimate",
    )
