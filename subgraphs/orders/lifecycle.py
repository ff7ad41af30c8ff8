"""Status changes of an order (``models.orders.ALLOWED_TRANSITIONS``) and what they mean for
its stock: cancelling releases the reservation, shipping fulfils it. Each change stages its
events (``OrderStatusChanged``, and ``OrderCancelled``) in the same transaction.

The inventory call happens before the status is written and is idempotent per reference,
so a failed call leaves the order unchanged and a retry is safe. On PostgreSQL the order
row is locked (``SELECT ... FOR UPDATE``) so two concurrent changes cannot both pass the
transition check; SQLite serialises writers anyway.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from models.base import utcnow
from models.database import Database
from models.orders import Order, OrderLine, OrderStatus
from subgraphs.common.errors import NotFound
from subgraphs.common.peers import Peers
from subgraphs.orders import peer_calls
from subgraphs.orders.outbox import stage_status_change
from subgraphs.orders.validation import check_transition

__all__ = ["change_status"]


async def change_status(
    database: Database,
    peers: Peers,
    order_id: int,
    target: OrderStatus,
    *,
    authorize: Callable[[int | None], None] | None = None,
) -> Order:
    """``authorize`` is given the order's customer id (None when there is no such order)
    and raises to refuse the change, before anything is changed."""
    async with database.sessions() as session, session.begin():
        order = await session.scalar(select(Order).where(Order.id == order_id).with_for_update())
        if authorize is not None:
            authorize(None if order is None else order.customer_id)
        if order is None:
            raise NotFound(f"No order with id {order_id}", id=str(order_id))
        check_transition(order.status, target)
        await _move_stock(peers, order, target)
        previous = order.status
        order.status = target
        order.updated_at = utcnow()
        lines: list[OrderLine] = []
        if target is OrderStatus.CANCELLED:  # the cancellation event carries the lines
            lines = list(
                await session.scalars(select(OrderLine).where(OrderLine.order_id == order.id))
            )
        stage_status_change(session, order, previous, lines)
    return order


async def _move_stock(peers: Peers, order: Order, target: OrderStatus) -> None:
    if order.idempotency_key is None:  # seeded history: no reservation was ever made
        return
    reference = peer_calls.reservation_reference(order.customer_id, order.idempotency_key)
    if target is OrderStatus.CANCELLED:
        await peer_calls.release_reservation(peers, reference)
    elif target is OrderStatus.SHIPPED:
        await peer_calls.fulfill_reservation(peers, reference)
