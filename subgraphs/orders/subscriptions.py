"""Subscriptions of the orders subgraph, fed by the orders stream of the bus
(:data:`ORDER_FEED`, run by the orders workers), never by polling the tables.

Row rules (:mod:`subgraphs.common.access`) hold at subscription time and for every event:
a customer caller subscribes to its own orders only (another customer's id is FORBIDDEN,
none means its own), staff and ``orders:read`` to anyone's (none: everyone's).
Each event is answered with the order as the event describes it: its row, with the status
the event moved it to (a later change is the next event).
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncGenerator
from typing import Any

import strawberry
from strawberry.types import Info

from events.bus import EventBus
from events.catalogue import ORDER_PLACED, ORDER_STATUS_CHANGED
from events.envelope import Envelope
from models import orders as model
from models.database import Database
from subgraphs.common.access import ORDER_READS
from subgraphs.common.access_directives import ORDERS_READ
from subgraphs.common.context import context_of
from subgraphs.common.event_feed import EventFeed
from subgraphs.common.ids import parse_id, parse_key
from subgraphs.orders.types import Order

__all__ = ["ORDER_FEED", "Subscription", "feed_order_events"]

ORDER_FEED = EventFeed("orders")


async def feed_order_events(_database: Database, bus: EventBus) -> None:
    """The orders worker that feeds this process's subscriptions."""
    await ORDER_FEED.run(bus)


def _watched(customer_id: strawberry.ID | None) -> frozenset[int] | None:
    """The customers whose events the caller gets (None: all), FORBIDDEN for one it may
    not read."""
    allowed = ORDER_READS.customer_ids()
    if customer_id is None:
        return allowed
    key = parse_id(customer_id, "customerId")
    ORDER_READS.check(key, f"subscribe to the orders of customer {key}")
    return frozenset({key})


def _customer_of(envelope: Envelope) -> int | None:
    value = envelope.data.get("customerId")
    return parse_key(value) if isinstance(value, str) else None


async def _order_at(info: Info[Any, Any], envelope: Envelope) -> Order | None:
    """The order of ``envelope`` as it describes it (None when the row is gone)."""
    order_id = parse_key(str(envelope.data.get("orderId", "")))
    if order_id is None:
        return None
    async with context_of(info).database.sessions() as session:
        row = await session.get(model.Order, order_id)
    if row is None:
        return None
    order = Order.from_row(row)
    status = envelope.data.get("to")
    if envelope.type == ORDER_STATUS_CHANGED.type and isinstance(status, str):
        order = dataclasses.replace(order, status=model.OrderStatus(status))
    return order


async def _orders(
    info: Info[Any, Any], customer_id: strawberry.ID | None, event_type: str
) -> AsyncGenerator[Order, None]:
    watched = _watched(customer_id)
    async for envelope in ORDER_FEED.events((event_type,)):
        customer = _customer_of(envelope)
        if watched is not None and customer not in watched:
            continue
        ORDER_READS.check(customer, f"read order {envelope.subject}")  # per event, too
        order = await _order_at(info, envelope)
        if order is not None:
            yield order


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="Each status change of the orders of one customer (default: every "
        "order the caller may read), in order, as the change left the order.",
        directives=ORDERS_READ,
    )
    async def order_status_changed(
        self, info: Info[Any, Any], customer_id: strawberry.ID | None = None
    ) -> AsyncGenerator[Order, None]:
        async for order in _orders(info, customer_id, ORDER_STATUS_CHANGED.type):
            yield order

    @strawberry.subscription(
        description="Each order placed by one customer (default: every order the caller "
        "may read), as it was placed.",
        directives=ORDERS_READ,
    )
    async def order_placed(
        self, info: Info[Any, Any], customer_id: strawberry.ID | None = None
    ) -> AsyncGenerator[Order, None]:
        async for order in _orders(info, customer_id, ORDER_PLACED.type):
            yield order
