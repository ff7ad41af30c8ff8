"""Relay of the orders outbox (``OrderEvent`` rows, one ``OrderPlaced`` per order, written in
the order's transaction) to the marketing domain's ``recordOrderPlaced``.

Delivery is at least once: an event is marked published only after marketing accepted it,
and marketing records each order once, so a crash between the two is harmless. Events go
out in id order, a batch at a time; the first failure stops the run and leaves the rest
for the next one.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlalchemy import select, update

from models.database import Database
from models.orders import OrderEvent
from subgraphs.common.errors import DomainError
from subgraphs.common.peers import Peers

__all__ = ["BATCH_SIZE", "relay_forever", "relay_pending"]

logger = logging.getLogger("subgraphs.orders.outbox")

BATCH_SIZE = 100

_RECORD = """mutation($input: OrderPlacedInput!) { recordOrderPlaced(input: $input) }"""


def _order_placed_input(payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "orderId": payload["orderId"],
        "customerId": payload["customerId"],
        "lines": [
            {"productId": line["productId"], "quantity": line["quantity"]}
            for line in payload["lines"]
        ],
    }


async def _pending(database: Database) -> list[OrderEvent]:
    async with database.sessions() as session:
        rows = await session.scalars(
            select(OrderEvent)
            .where(OrderEvent.published.is_(False))
            .order_by(OrderEvent.id)
            .limit(BATCH_SIZE)
        )
        return list(rows)


async def _mark_published(database: Database, event_id: int) -> None:
    async with database.sessions() as session, session.begin():
        await session.execute(
            update(OrderEvent).where(OrderEvent.id == event_id).values(published=True)
        )


async def relay_pending(database: Database, peers: Peers) -> int:
    """Deliver every unpublished event; returns how many were published."""
    published = 0
    while batch := await _pending(database):
        for event in batch:
            try:
                await peers.query(
                    "marketing", _RECORD, {"input": _order_placed_input(event.payload)}
                )
            except DomainError as error:
                logger.warning("outbox relay stopped at event %s: %s", event.id, error)
                return published
            await _mark_published(database, event.id)
            published += 1
    return published


async def relay_forever(database: Database, peers: Peers, interval: float = 1.0) -> None:
    """The development server's background relay: drain the outbox every ``interval`` s."""
    while True:
        try:
            await relay_pending(database, peers)
        except Exception:
            logger.exception("outbox relay failed")
        await asyncio.sleep(interval)
