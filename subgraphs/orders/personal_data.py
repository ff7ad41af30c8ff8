"""A customer's data in the orders domain: exported as JSON, or pseudonymised on erasure.

Orders are kept for accounting (amounts, lines, statuses, dates) but unlinked from the
person: their customer becomes :data:`~subgraphs.common.erasure.ERASED_CUSTOMER_ID` and their
client-chosen idempotency keys become pseudonyms, derived as inventory derives its
reservation references (so shipping or cancelling such an order still moves its stock).
The person's outbox events (published or not) say customer ``"0"`` and name the
reservation by its new reference: the relay still publishes the unpublished ones, and
consumers (marketing) record nothing about a person. One transaction; a second run finds
nothing to do.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from models.database import Database
from models.orders import Order, OrderEvent, OrderLine
from subgraphs.common.erasure import ERASED_CUSTOMER_ID, pseudonym, rewritten_event
from subgraphs.common.ids import format_id
from subgraphs.common.reservation_references import reservation_reference

__all__ = ["erase_customer_data", "export_customer_data"]


def _line(line: OrderLine) -> dict[str, Any]:
    return {
        "productId": format_id(line.product_id),
        "quantity": line.quantity,
        "unitPriceMinor": line.unit_price_minor,
        "currency": line.currency,
    }


def _order(order: Order, lines: list[OrderLine]) -> dict[str, Any]:
    return {
        "id": format_id(order.id),
        "status": order.status.value,
        "totalMinor": order.total_minor,
        "currency": order.currency,
        "idempotencyKey": order.idempotency_key,
        "createdAt": order.created_at.isoformat(),
        "updatedAt": order.updated_at.isoformat(),
        "lines": [_line(line) for line in lines],
    }


async def export_customer_data(database: Database, customer_id: int) -> dict[str, Any]:
    async with database.sessions() as session:
        orders = list(
            await session.scalars(
                select(Order).where(Order.customer_id == customer_id).order_by(Order.id)
            )
        )
        lines: dict[int, list[OrderLine]] = {order.id: [] for order in orders}
        for line in await session.scalars(
            select(OrderLine).where(OrderLine.order_id.in_(lines)).order_by(OrderLine.id)
        ):
            lines[line.order_id].append(line)
    return {"orders": [_order(order, lines[order.id]) for order in orders]}


async def erase_customer_data(database: Database, customer_id: int, salt: str) -> int:
    """Pseudonymise the customer's orders and events; returns how many orders changed."""
    async with database.sessions() as session, session.begin():
        orders = list(
            await session.scalars(
                select(Order).where(Order.customer_id == customer_id).with_for_update()
            )
        )
        references: dict[str, str] = {}  # order id -> its reservation's new reference
        for order in orders:
            order.customer_id = ERASED_CUSTOMER_ID
            if order.idempotency_key is not None:
                order.idempotency_key = pseudonym(salt, order.idempotency_key)
                references[format_id(order.id)] = reservation_reference(
                    ERASED_CUSTOMER_ID, order.idempotency_key
                )
        events = await session.scalars(
            select(OrderEvent).where(
                OrderEvent.aggregate_id.in_([format_id(order.id) for order in orders])
            )
        )
        for event in events:
            data: dict[str, Any] = {"customerId": str(ERASED_CUSTOMER_ID)}
            if event.aggregate_id in references:
                data["reservationReference"] = references[event.aggregate_id]
            event.envelope = rewritten_event(event.envelope, data)
    return len(orders)
