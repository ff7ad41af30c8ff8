"""The orders domain's events, staged in its outbox (``OrderEvent``) in the transaction of
the change they describe: ``OrderPlaced`` with the order, ``OrderStatusChanged`` with every
status change, and ``OrderCancelled`` (with the lines, so consumers can take back what they
counted) beside the status change to CANCELLED.

The relay (``events.relay``, run by the platform's workers) publishes them to the bus;
each event is checked against its schema when staged (``events.catalogue``).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from events.catalogue import ORDER_CANCELLED, ORDER_PLACED, ORDER_STATUS_CHANGED, event_of
from events.outbox import stage
from models.base import utcnow
from models.orders import Order, OrderEvent, OrderLine, OrderStatus

__all__ = ["stage_order_placed", "stage_status_change"]


def stage_order_placed(session: AsyncSession, order: Order, lines: Sequence[OrderLine]) -> None:
    data = {
        "orderId": str(order.id),
        "customerId": str(order.customer_id),
        "currency": order.currency,
        "placedAt": order.created_at.isoformat(),
        "lines": [
            {
                "productId": str(line.product_id),
                "quantity": line.quantity,
                "unitPriceMinor": line.unit_price_minor,
            }
            for line in lines
        ],
    }
    stage(session, OrderEvent, event_of(ORDER_PLACED, str(order.id), data))


def stage_status_change(
    session: AsyncSession, order: Order, previous: OrderStatus, lines: Sequence[OrderLine]
) -> None:
    """``OrderStatusChanged``, and ``OrderCancelled`` when the order was cancelled."""
    changed_at = (order.updated_at or utcnow()).isoformat()
    common = {"orderId": str(order.id), "customerId": str(order.customer_id)}
    changed = {**common, "from": previous.value, "to": order.status.value, "changedAt": changed_at}
    stage(session, OrderEvent, event_of(ORDER_STATUS_CHANGED, str(order.id), changed))
    if order.status is OrderStatus.CANCELLED:
        cancelled = {
            **common,
            "previousStatus": previous.value,
            "cancelledAt": changed_at,
            "lines": [
                {"productId": str(line.product_id), "quantity": line.quantity} for line in lines
            ],
        }
        stage(session, OrderEvent, event_of(ORDER_CANCELLED, str(order.id), cancelled))
