"""Orders' consumer of ``integration.pos.sale``: a store's sale (sent when its point of sale
is back online, possibly hours later) becomes an order with channel STORE, status DELIVERED
(the customer took the goods), the POS's prices, and its ``OrderPlaced`` event naming the
store's warehouse, from which inventory takes the units (``subgraphs.inventory.order_events``).

The sale's ``storeCode`` and ``saleId`` make the order's idempotency key, so a sale sent
twice (even as two different messages) is one order; the inbox (``OrdersInbox``) skips a
redelivered message.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from events.bus import ConsumerSpec, EventBus
from events.consumer import Handler, consume_forever
from events.envelope import Envelope
from events.inbox import idempotent
from models.database import Database
from models.orders import Order, OrderChannel, OrderLine, OrdersInbox, OrderStatus
from subgraphs.orders.outbox import stage_order_placed

__all__ = ["CONSUMER", "apply_pos_sale", "consume_pos_sales", "pos_sale_handler", "sale_key"]

CONSUMER = ConsumerSpec(stream="integration", name="orders", filter_subject="integration.pos.sale")


def sale_key(store_code: str, sale_id: str) -> str:
    return f"pos:{store_code.upper()}:{sale_id}"


async def apply_pos_sale(session: AsyncSession, envelope: Envelope) -> None:
    data = envelope.data
    customer_id = int(data["customerId"])
    store_code = data["storeCode"].upper()
    key = sale_key(store_code, data["saleId"])
    if await session.scalar(
        select(Order.id).where(Order.customer_id == customer_id, Order.idempotency_key == key)
    ):
        return  # the same sale, sent again as another message
    sold_at = datetime.fromisoformat(data["soldAt"])
    lines = [
        OrderLine(
            product_id=int(line["productId"]),
            quantity=int(line["quantity"]),
            unit_price_minor=int(line["unitPriceMinor"]),
            currency=data["currency"],
        )
        for line in data["lines"]
    ]
    order = Order(
        customer_id=customer_id,
        status=OrderStatus.DELIVERED,
        channel=OrderChannel.STORE,
        currency=data["currency"],
        total_minor=sum(line.quantity * line.unit_price_minor for line in lines),
        idempotency_key=key,
        created_at=sold_at,
        updated_at=sold_at,
        lines=lines,
    )
    session.add(order)
    await session.flush()
    stage_order_placed(session, order, lines, warehouse_code=store_code)


def pos_sale_handler(database: Database) -> Handler:
    return idempotent(database, OrdersInbox, CONSUMER.name, apply_pos_sale)


async def consume_pos_sales(database: Database, bus: EventBus) -> None:
    await consume_forever(bus, CONSUMER, pos_sale_handler(database))
