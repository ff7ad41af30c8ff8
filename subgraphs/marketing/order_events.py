"""Marketing's consumer of the orders stream: placed orders become purchase facts, cancelled
orders take them back (``recording``). Each event is handled once: its id enters the
``marketing_inbox`` in the transaction that applies it (``events.inbox``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from events.bus import ConsumerSpec, EventBus
from events.catalogue import ORDER_CANCELLED, ORDER_PLACED
from events.consumer import Handler, consume_forever
from events.envelope import Envelope
from events.inbox import idempotent
from models.database import Database
from models.marketing import ProcessedEvent
from subgraphs.marketing.recording import apply_order_cancelled, apply_order_placed
from subgraphs.marketing.validation import PlacedOrder

__all__ = ["CONSUMER", "apply_order_event", "consume_order_events", "order_event_handler"]

CONSUMER = ConsumerSpec(stream="orders", name="marketing")


def _order_fact(data: Mapping[str, Any]) -> PlacedOrder:
    """The order's quantities per product (the schema guarantees ids and quantities)."""
    quantities: dict[int, int] = {}
    for line in data["lines"]:
        product_id = int(line["productId"])
        quantities[product_id] = quantities.get(product_id, 0) + int(line["quantity"])
    return PlacedOrder(int(data["orderId"]), int(data["customerId"]), quantities)


async def apply_order_event(session: AsyncSession, envelope: Envelope) -> None:
    if envelope.type == ORDER_PLACED.type:
        await apply_order_placed(session, _order_fact(envelope.data))
    elif envelope.type == ORDER_CANCELLED.type:
        await apply_order_cancelled(session, _order_fact(envelope.data))
    # Other order events (status changes) tell marketing nothing it keeps.


def order_event_handler(database: Database) -> Handler:
    return idempotent(database, ProcessedEvent, CONSUMER.name, apply_order_event)


async def consume_order_events(database: Database, bus: EventBus) -> None:
    """Marketing's background consumer: runs until cancelled."""
    await consume_forever(bus, CONSUMER, order_event_handler(database))
