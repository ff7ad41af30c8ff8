"""The default ``EventBus`` when ``EVENTS_URL`` is unset: the database plus an in-process
dispatcher, with JetStream's delivery semantics (``events.bus``).

Messages are rows of ``event_log`` (deduplicated per stream by message id); a fetch leases
the next due messages of a consumer (``event_deliveries``: attempts, visible again at,
done) in stream order. A fetch first updates its consumer's row, so two fetchers of one
consumer take turns (a row lock on PostgreSQL, the write lock on SQLite). Waiting fetchers
in this process are woken by a publish; others poll every ``poll_interval`` s.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from events.bus import ConsumerSpec, Delivery, stream_of
from events.errors import BrokerUnavailable
from models.base import utcnow
from models.database import Database
from models.event_store import EventConsumer, EventDelivery, EventLog
from models.migrate import SchemaBehind, SchemaMismatch, prepare_schema

__all__ = ["EmbeddedBus"]


@dataclass(frozen=True, slots=True)
class _EmbeddedDelivery:
    bus: EmbeddedBus
    stream: str
    consumer: str
    subject: str
    data: bytes
    headers: Mapping[str, str]
    sequence: int
    attempt: int

    async def ack(self) -> None:
        await self.bus._settle(self, done=True)

    async def nak(self, delay: float) -> None:
        await self.bus._settle(self, done=False, delay=delay)

    async def term(self) -> None:
        await self.bus._settle(self, done=True)


class EmbeddedBus:
    def __init__(
        self,
        database: Database,
        *,
        namespace: str = "",
        poll_interval: float = 0.05,
        owns_database: bool = False,
    ) -> None:
        self.database = database
        self._owns_database = owns_database
        self.namespace = namespace
        self._poll_interval = poll_interval
        self._ready = False
        self._preparing = asyncio.Lock()  # a process's workers share one bus: one creates
        self._published = asyncio.Event()

    def stream_name(self, stream: str) -> str:
        return f"{self.namespace}_{stream}" if self.namespace else stream

    async def _prepare(self) -> None:
        if self._ready:
            return
        async with self._preparing:
            if self._ready:
                return
            try:
                await prepare_schema(self.database, "events")
            except (SQLAlchemyError, OSError, SchemaBehind, SchemaMismatch) as error:
                raise BrokerUnavailable(f"embedded event store: {error}") from error
            self._ready = True

    # --- EventBus ---
    async def publish(
        self,
        subject: str,
        data: bytes,
        *,
        message_id: str,
        headers: Mapping[str, str] | None = None,
    ) -> int:
        stream = self.stream_name(stream_of(subject))
        try:
            await self._prepare()
            sequence = await self._store(stream, subject, data, message_id, headers or {})
        except IntegrityError:
            sequence = await self._stored_sequence(stream, message_id)
        except (SQLAlchemyError, OSError) as error:
            raise BrokerUnavailable(f"embedded event store: {error}") from error
        self._published.set()
        return sequence

    async def _store(
        self, stream: str, subject: str, data: bytes, message_id: str, headers: Mapping[str, str]
    ) -> int:
        async with self.database.sessions() as session, session.begin():
            row = EventLog(
                stream=stream,
                subject=subject,
                message_id=message_id,
                headers=dict(headers),
                data=data,
                stored_at=utcnow(),
            )
            session.add(row)
            await session.flush()
            return row.sequence

    async def _stored_sequence(self, stream: str, message_id: str) -> int:
        async with self.database.sessions() as session:
            sequence = await session.scalar(
                select(EventLog.sequence).where(
                    EventLog.stream == stream, EventLog.message_id == message_id
                )
            )
        if sequence is None:
            raise BrokerUnavailable(f"message {message_id} neither stored nor found")
        return sequence

    async def fetch(
        self, consumer: ConsumerSpec, *, batch: int, timeout: float
    ) -> Sequence[Delivery]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            self._published.clear()
            try:
                await self._prepare()
                deliveries = await self._lease(consumer, batch)
            except IntegrityError:  # another fetcher created the consumer first: go again
                continue
            except (SQLAlchemyError, OSError) as error:
                raise BrokerUnavailable(f"embedded event store: {error}") from error
            remaining = deadline - loop.time()
            if deliveries or remaining <= 0:
                return deliveries
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._published.wait(), min(self._poll_interval, remaining))

    async def close(self) -> None:
        """Dispose of the database's engine if the bus opened it (else it is the caller's)."""
        if self._owns_database:
            await self.database.dispose()

    # --- leasing ---
    async def _lease(self, consumer: ConsumerSpec, batch: int) -> list[Delivery]:
        stream = self.stream_name(consumer.stream)
        now = utcnow()
        async with self.database.sessions() as session, session.begin():
            start = await self._claim(session, consumer, stream, now)
            rows = list(await session.execute(_due(consumer, stream, start, now).limit(batch)))
            if not rows:
                return []
            visible_at = now + timedelta(seconds=consumer.ack_wait)
            leased = []
            for log, delivery in rows:
                if delivery is None:
                    delivery = EventDelivery(
                        stream=stream, consumer=consumer.name, sequence=log.sequence, attempts=0
                    )
                    session.add(delivery)
                delivery.attempts += 1
                delivery.visible_at = visible_at
                leased.append(
                    _EmbeddedDelivery(
                        self,
                        stream,
                        consumer.name,
                        log.subject,
                        log.data,
                        dict(log.headers or {}),
                        log.sequence,
                        delivery.attempts,
                    )
                )
        return list(leased)

    async def _claim(
        self, session: AsyncSession, consumer: ConsumerSpec, stream: str, now: datetime
    ) -> int:
        """Lock the consumer's row (creating it on first use); returns its start sequence."""
        result = await session.execute(
            update(EventConsumer)
            .where(EventConsumer.stream == stream, EventConsumer.name == consumer.name)
            .values(fetched_at=now)
            .returning(EventConsumer.start_sequence)
        )
        start = result.scalar_one_or_none()
        if start is not None:
            return start
        start = await _start_sequence(session, consumer, stream)
        session.add(
            EventConsumer(stream=stream, name=consumer.name, start_sequence=start, fetched_at=now)
        )
        await session.flush()
        return start

    async def _settle(self, delivery: _EmbeddedDelivery, *, done: bool, delay: float = 0.0) -> None:
        """Ack/term (``done``) settle the message whatever lease they come from, as on
        JetStream; a nak from a lease that was since redelivered changes nothing."""
        statement = update(EventDelivery).where(
            EventDelivery.stream == delivery.stream,
            EventDelivery.consumer == delivery.consumer,
            EventDelivery.sequence == delivery.sequence,
            EventDelivery.done.is_(False),
        )
        if done:
            statement = statement.values(done=True)
        else:
            statement = statement.where(EventDelivery.attempts == delivery.attempt).values(
                visible_at=utcnow() + timedelta(seconds=delay)
            )
        async with self.database.sessions() as session, session.begin():
            await session.execute(statement)
        if not done:
            self._published.set()


def _due(
    consumer: ConsumerSpec, stream: str, start: int, now: datetime
) -> Select[EventLog, EventDelivery]:
    """The consumer's next messages: never delivered, or leased and due again."""
    joined = and_(
        EventDelivery.stream == stream,
        EventDelivery.consumer == consumer.name,
        EventDelivery.sequence == EventLog.sequence,
    )
    query = (
        select(EventLog, EventDelivery)
        .outerjoin(EventDelivery, joined)
        .where(
            EventLog.stream == stream,
            EventLog.sequence >= start,
            or_(
                EventDelivery.sequence.is_(None),
                and_(
                    EventDelivery.done.is_(False),
                    EventDelivery.visible_at <= now,
                    EventDelivery.attempts < consumer.broker_max_deliver,
                ),
            ),
        )
        .order_by(EventLog.sequence)
    )
    pattern = consumer.filter_subject
    if pattern is None or pattern == f"{consumer.stream}.>":
        return query
    if pattern.endswith(".>"):
        return query.where(EventLog.subject.startswith(pattern[:-1], autoescape=True))
    return query.where(EventLog.subject == pattern)


async def _start_sequence(session: AsyncSession, consumer: ConsumerSpec, stream: str) -> int:
    if consumer.start is None:
        return 1
    if consumer.start.sequence is not None:
        return consumer.start.sequence
    first = await session.scalar(
        select(func.min(EventLog.sequence)).where(
            EventLog.stream == stream, EventLog.stored_at >= consumer.start.time
        )
    )
    if first is not None:
        return first
    last = await session.scalar(select(func.max(EventLog.sequence)))
    return (last or 0) + 1
