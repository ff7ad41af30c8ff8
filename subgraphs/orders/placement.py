"""``placeOrder``: validate, check the customer and price the lines with the other domains,
reserve stock, then write the order, its lines and its ``OrderPlaced`` event (the outbox) in
ONE transaction.

Everything that can reject the order happens before the reservation, and the reservation
before the write; if the write fails the reservation is released. Idempotency keys belong
to a customer (unique per customer, so two customers may pick the same key); the customer
and key make the reservation reference, so a retried request reserves once and returns the
order the first attempt created. A conflict names only the caller's own order.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from models.base import utcnow
from models.database import Database
from models.orders import Order, OrderChannel, OrderLine, OrderStatus
from subgraphs.common.errors import Conflict, NotFound
from subgraphs.common.peers import Peers
from subgraphs.orders import peer_calls
from subgraphs.orders.outbox import stage_order_placed
from subgraphs.orders.peer_calls import ProductQuote
from subgraphs.orders.validation import RequestedLine, RequestedOrder

__all__ = ["place_order"]


async def place_order(database: Database, peers: Peers, request: RequestedOrder) -> Order:
    existing = await _order_with_key(database, request.customer_id, request.idempotency_key)
    if existing is not None:
        return _same_request(existing, request)
    quotes = await _checked_quotes(peers, request)
    reference = peer_calls.reservation_reference(request.customer_id, request.idempotency_key)
    await peer_calls.reserve_stock(peers, reference, request.lines)
    try:
        return await _insert(database, request, quotes, reference)
    except IntegrityError:
        # A concurrent request with the same key won: it owns the (shared) reservation.
        winner = await _order_with_key(database, request.customer_id, request.idempotency_key)
        if winner is None:
            await peer_calls.release_reservation(peers, reference)
            raise
        return _same_request(winner, request)
    except Exception:
        await peer_calls.release_reservation(peers, reference)
        raise


async def _order_with_key(
    database: Database, customer_id: int, key: str
) -> tuple[Order, list[OrderLine]] | None:
    async with database.sessions() as session:
        order = await session.scalar(
            select(Order).where(Order.customer_id == customer_id, Order.idempotency_key == key)
        )
        if order is None:
            return None
        lines = await session.scalars(select(OrderLine).where(OrderLine.order_id == order.id))
        return order, list(lines)


def _same_request(existing: tuple[Order, list[OrderLine]], request: RequestedOrder) -> Order:
    order, lines = existing
    placed = tuple(sorted(RequestedLine(line.product_id, line.quantity) for line in lines))
    if placed != request.lines:
        raise Conflict(
            "This idempotencyKey was already used for a different order",
            field="idempotencyKey",
            orderId=str(order.id),
        )
    return order


async def _checked_quotes(peers: Peers, request: RequestedOrder) -> list[ProductQuote]:
    product_ids = [line.product_id for line in request.lines]
    customer_found, quotes = await asyncio.gather(
        peer_calls.customer_exists(peers, request.customer_id),
        peer_calls.product_quotes(peers, product_ids),
    )
    if not customer_found:
        raise NotFound(
            f"No customer with id {request.customer_id}", customerId=str(request.customer_id)
        )
    checked = [
        _orderable(product_id, quote) for product_id, quote in zip(product_ids, quotes, strict=True)
    ]
    currencies = sorted({quote.currency for quote in checked})
    if len(currencies) > 1:
        raise Conflict("An order is priced in one currency", currencies=currencies)
    return checked


def _orderable(product_id: int, quote: ProductQuote | None) -> ProductQuote:
    if quote is None:
        raise NotFound(f"No product with id {product_id}", productId=str(product_id))
    if quote.status != "LISTED":
        raise Conflict(
            f"Product {product_id} is {quote.status}, only LISTED products can be ordered",
            productId=str(product_id),
            status=quote.status,
        )
    return quote


async def _insert(
    database: Database, request: RequestedOrder, quotes: Sequence[ProductQuote], reference: str
) -> Order:
    now = utcnow()
    currency = quotes[0].currency
    lines = [
        OrderLine(
            product_id=line.product_id,
            quantity=line.quantity,
            unit_price_minor=quote.price_minor,
            currency=currency,
        )
        for line, quote in zip(request.lines, quotes, strict=True)
    ]
    order = Order(
        customer_id=request.customer_id,
        status=OrderStatus.PENDING,
        channel=OrderChannel.ONLINE,
        currency=currency,
        total_minor=sum(line.quantity * line.unit_price_minor for line in lines),
        idempotency_key=request.idempotency_key,
        created_at=now,
        updated_at=now,
        lines=lines,
    )
    async with database.sessions() as session, session.begin():
        session.add(order)
        await session.flush()
        stage_order_placed(session, order, lines, reservation=reference)
    return order
