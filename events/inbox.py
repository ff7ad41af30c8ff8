"""Idempotent handling: an inbox row per (consumer, event id), in the handler's transaction.

``idempotent`` turns a function that applies an event inside a session into a ``Handler``:
it opens the consumer's own transaction, skips the event if its inbox row exists, else
applies it and adds the row; both commit together. Two deliveries racing meet on the
inbox's primary key: the loser's transaction fails and runs again, and finds the row.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from events.consumer import Handler
from events.envelope import Envelope
from models.database import Database
from models.inbox import InboxRecord

__all__ = ["Apply", "idempotent"]

Apply = Callable[[AsyncSession, Envelope], Awaitable[None]]

_ATTEMPTS = 5


def idempotent(
    database: Database, inbox: type[InboxRecord], consumer: str, apply: Apply
) -> Handler:
    async def handler(envelope: Envelope) -> None:
        for _attempt in range(_ATTEMPTS - 1):
            try:
                await _once(database, inbox, consumer, apply, envelope)
                return
            except IntegrityError:
                continue
        await _once(database, inbox, consumer, apply, envelope)

    return handler


async def _once(
    database: Database,
    inbox: type[InboxRecord],
    consumer: str,
    apply: Apply,
    envelope: Envelope,
) -> None:
    async with database.sessions() as session, session.begin():
        if await session.get(inbox, (consumer, envelope.id)) is not None:
            return
        await apply(session, envelope)
        record = inbox()
        record.consumer = consumer
        record.event_id = envelope.id
        record.event_type = envelope.type
        session.add(record)
