"""Inventory's consumer of the orders stream (``orders.OrderPlaced``):

- an online order confirms the reservation it was placed with (``reservationReference``):
  from then on the sweeper never releases it;
- a store sale (channel STORE) takes its units out of the store's warehouse
  (``StockAdjusted`` with cause STORE_SALE); a sale the records cannot cover (unknown
  warehouse, fewer units than sold) is rejected, so it is dead-lettered with the reason
  for someone to reconcile, never dropped.

Each event is handled once (``InventoryInbox``, in the transaction that applies it).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from events.bus import ConsumerSpec, EventBus
from events.catalogue import ORDER_PLACED
from events.consumer import Handler, consume_forever
from events.envelope import Envelope
from events.errors import Rejected
from events.inbox import idempotent
from models.database import Database
from models.inventory import InventoryInbox, Warehouse
from subgraphs.common.errors import Conflict
from subgraphs.inventory.reservations import confirm
from subgraphs.inventory.stock import apply_adjustment

__all__ = ["CONSUMER", "apply_order_event", "consume_order_events", "order_event_handler"]

CONSUMER = ConsumerSpec(stream="orders", name="inventory", filter_subject="orders.OrderPlaced")


async def _sell_from_store(session: AsyncSession, envelope: Envelope) -> None:
    data = envelope.data
    code = data["warehouseCode"]
    warehouse = await session.scalar(select(Warehouse).where(Warehouse.code == code))
    if warehouse is None:
        raise Rejected(f"store sale {envelope.subject}: no warehouse with code {code!r}")
    for line in data["lines"]:
        try:
            await apply_adjustment(
                session,
                warehouse,
                int(line["productId"]),
                -int(line["quantity"]),
                "STORE_SALE",
                reference=f"order:{data['orderId']}",
            )
        except Conflict as error:
            raise Rejected(f"store sale {envelope.subject}: {error}") from error


async def apply_order_event(session: AsyncSession, envelope: Envelope) -> None:
    if envelope.type != ORDER_PLACED.type:
        return
    if envelope.data.get("channel") == "STORE":
        await _sell_from_store(session, envelope)
    elif reference := envelope.data.get("reservationReference"):
        await confirm(session, reference, envelope.data["orderId"])


def order_event_handler(database: Database) -> Handler:
    return idempotent(database, InventoryInbox, CONSUMER.name, apply_order_event)


async def consume_order_events(database: Database, bus: EventBus) -> None:
    await consume_forever(bus, CONSUMER, order_event_handler(database))
