"""Input rules of the orders domain; each violation is a BAD_USER_INPUT (or CONFLICT for a
forbidden status change) raised before anything is written."""

from __future__ import annotations

import re
from typing import NamedTuple

from models.orders import ALLOWED_TRANSITIONS, OrderStatus
from subgraphs.common.errors import BadUserInput, Conflict
from subgraphs.common.ids import parse_id
from subgraphs.orders.types import OrderLineInput, PlaceOrderInput

__all__ = [
    "MAX_LINES",
    "MAX_QUANTITY",
    "RequestedLine",
    "RequestedOrder",
    "check_transition",
    "clean_order",
]

MAX_LINES = 50
MAX_QUANTITY = 1_000
_KEY = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")


class RequestedLine(NamedTuple):
    product_id: int
    quantity: int


class RequestedOrder(NamedTuple):
    customer_id: int
    lines: tuple[RequestedLine, ...]
    idempotency_key: str


def _clean_line(line: OrderLineInput) -> RequestedLine:
    product_id = parse_id(line.product_id, "productId")
    if not 0 < line.quantity <= MAX_QUANTITY:
        raise BadUserInput(
            f"Quantity must be between 1 and {MAX_QUANTITY}, got {line.quantity}",
            field="quantity",
            productId=str(product_id),
        )
    return RequestedLine(product_id, line.quantity)


def _clean_key(key: str) -> str:
    if not _KEY.match(key):
        raise BadUserInput(
            "idempotencyKey must be 1 to 100 characters of letters, digits and ._:-",
            field="idempotencyKey",
        )
    return key


def clean_order(order: PlaceOrderInput) -> RequestedOrder:
    if not 1 <= len(order.lines) <= MAX_LINES:
        raise BadUserInput(f"An order has 1 to {MAX_LINES} lines", field="lines")
    lines = tuple(_clean_line(line) for line in order.lines)
    if len({line.product_id for line in lines}) != len(lines):
        raise BadUserInput("Each product may appear on one line only", field="lines")
    return RequestedOrder(
        parse_id(order.customer_id, "customerId"),
        tuple(sorted(lines)),
        _clean_key(order.idempotency_key),
    )


def check_transition(current: OrderStatus, target: OrderStatus) -> None:
    if target not in ALLOWED_TRANSITIONS[current]:
        raise Conflict(
            f"An order cannot go from {current.value} to {target.value}",
            status=current.value,
            requested=target.value,
        )
