"""Staging an event in the producer's transaction (the write side of the outbox).

``stage`` checks the event against its schema before anything is written: a producer
cannot put an event that does not match its schema in the outbox (``SchemaViolation``
propagates and the producer's transaction rolls back with the change it describes).
"""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from events.catalogue import check
from events.envelope import Envelope, encode
from models.outbox import OutboxRecord

__all__ = ["stage"]

Row = TypeVar("Row", bound=OutboxRecord)


def stage(session: AsyncSession, outbox: type[Row], envelope: Envelope) -> Row:
    """Add ``envelope`` to ``outbox`` in ``session``'s transaction; the relay publishes it."""
    event_type = check(envelope)
    row = outbox()
    row.event_id = envelope.id
    row.event_type = envelope.type
    row.aggregate_id = envelope.subject
    row.subject = event_type.type
    row.envelope = encode(envelope).decode()
    row.published = False
    row.created_at = envelope.time
    session.add(row)
    return row
