"""The outbox relay: unpublished outbox rows -> the bus, at least once, in order.

Rows go out in ``id`` order, one publish confirmed before the next, and a batch's
published rows are marked in one statement. The first failed publish ends the run, so no
event is ever published before an earlier one of the same outbox: per-aggregate order
holds (an aggregate's rows are written in order: its producer serialises changes to it).
A crash between publish and mark republishes; the message id (the event id) makes the bus
store it once within its duplicate window, and consumers' inboxes do the rest.

One relay per outbox: two would each keep the order but interleave with each other.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import select, update

from events.bus import EventBus
from events.errors import BrokerUnavailable
from models.database import Database
from models.outbox import OutboxRecord

__all__ = ["BATCH_SIZE", "relay_forever", "relay_pending"]

logger = logging.getLogger("events.relay")

BATCH_SIZE = 200


async def relay_pending(
    database: Database, outbox: type[OutboxRecord], bus: EventBus, *, batch_size: int = BATCH_SIZE
) -> int:
    """Publish every unpublished row; returns how many were published before any failure."""
    published = 0
    while True:
        async with database.sessions() as session:
            rows = list(
                await session.execute(
                    select(outbox.id, outbox.event_id, outbox.subject, outbox.envelope)
                    .where(outbox.published.is_(False))
                    .order_by(outbox.id)
                    .limit(batch_size)
                )
            )
        if not rows:
            return published
        done: list[int] = []
        try:
            for row_id, event_id, subject, envelope in rows:
                await bus.publish(subject, envelope.encode(), message_id=event_id)
                done.append(row_id)
        except BrokerUnavailable as error:
            logger.warning("outbox relay paused at %s: %s", outbox.__name__, error)
            return published + await _mark(database, outbox, done)
        published += await _mark(database, outbox, done)


async def _mark(database: Database, outbox: type[OutboxRecord], ids: list[int]) -> int:
    if ids:
        async with database.sessions() as session, session.begin():
            await session.execute(update(outbox).where(outbox.id.in_(ids)).values(published=True))
    return len(ids)


async def relay_forever(
    database: Database, outbox: type[OutboxRecord], bus: EventBus, *, interval: float = 0.5
) -> None:
    """A producer's background relay: drain the outbox every ``interval`` s until cancelled."""
    while True:
        try:
            await relay_pending(database, outbox, bus)
        except Exception:
            logger.exception("outbox relay failed")
        await asyncio.sleep(interval)
