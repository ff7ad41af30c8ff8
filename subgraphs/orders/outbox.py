"""The orders domain's events, staged in its outbox (``OrderEvent``) in the transaction of
the change they describe: ``OrderPlaced`` with the order (v2: its channel, and the
reservation an online order holds, which the event confirms in inventory, or the store
warehouse a store sale was sold from), ``OrderStatusChanged`` with every
status change, and ``OrderCancelled`` (with the lines, so consumers can take back what they
counted) beside the status change to CANCELLED.

The relay (``events.relay``, run by the platform's workers) publishes them to the bus;
each event is checked against its schema when staged (``events.catalogue``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from events.catalogue import ORDER_CANCELLED, ORDER_PLACED, ORDER_STATUS_CHANGED, event_of
from events.outbox import stage
from models.base import utcnow
from models.orders import Order, OrderEvent, OrderLine, OrderStatus

__all__ = ["stage_order_placed", "stage_status_change"]


def stage_order_placed(
    session: AsyncSession,
    order: Order,
    lines: Sequence[OrderLine],
    *,
    reservation: str | None = None,
    warehouse_code: str | None = None,
) -> None:
    data: dict[str, Any] = {
        "orderId": str(order.id),
        "customerId": str(order.customer_id),
        "channel": order.channel.value,
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
    if reservation is not None:
        data["reservationReference"] = reservation
    if warehouse_code is not None:
        data["warehouseCode"] = warehouse_code
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
