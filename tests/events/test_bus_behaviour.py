"""The delivery semantics every bus promises (``events.bus``), run against both the
embedded bus and NATS JetStream: publish/fetch/ack, redelivery, a consumer dying
mid-batch, the broker down while producers write, poison and invalid messages, order per
aggregate under concurrency, and replay."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from events.bus import ConsumerSpec, Delivery, EventBus, StartAt
from events.catalogue import ORDER_PLACED_V1, ORDER_STATUS_CHANGED, event_of
from events.consumer import Handler, Outcome, drain
from events.envelope import Envelope, encode
from events.inbox import idempotent
from events.outbox import stage
from events.relay import relay_forever, relay_pending
from tests.events.harness import Harness

_markers: dict[str, int] = {}


class _Crash(BaseException):
    """The consumer's process dies: nothing after it runs, nothing is settled."""


def _events(aggregate: str, count: int, first: int = 0) -> list[Envelope]:
    events = []
    for marker in range(first, first + count):
        envelope = event_of(
            ORDER_STATUS_CHANGED,
            aggregate,
            {
                "orderId": aggregate,
                "customerId": "1",
                "from": "PENDING",
                "to": "PAID",
                "changedAt": "2026-12-01T00:00:00Z",
            },
        )
        _markers[envelope.id] = marker
        events.append(envelope)
    return events


def _spec(**settings: object) -> ConsumerSpec:
    options: dict[str, object] = {"ack_wait": 0.6, "backoff": (0.05,), "max_deliver": 3}
    options.update(settings)
    return ConsumerSpec("orders", str(options.pop("name", "marketing")), **options)  # type: ignore[arg-type]


async def _produce(harness: Harness, events: Iterable[Envelope]) -> None:
    """One producer transaction per event, as a domain writes them."""
    for envelope in events:
        async with harness.database.sessions() as session, session.begin():
            stage(session, harness.tables.outbox, envelope)


def _recording_handler(harness: Harness) -> Handler:
    async def apply(session: AsyncSession, envelope: Envelope) -> None:
        await session.execute(
            insert(harness.tables.effects).values(
                event_id=envelope.id,
                aggregate_id=envelope.subject,
                marker=_markers.get(envelope.id, -1),
            )
        )

    return idempotent(harness.database, harness.tables.inbox, "marketing", apply)


async def _effects(harness: Harness) -> list[tuple[str, str, int]]:
    effects = harness.tables.effects
    async with harness.database.sessions() as session:
        rows = await session.execute(
            select(effects.c.event_id, effects.c.aggregate_id, effects.c.marker).order_by(
                effects.c.id
            )
        )
        return [(row[0], row[1], row[2]) for row in rows]


async def _dead_letters(bus: EventBus, count: int) -> Sequence[Delivery]:
    reader = ConsumerSpec("deadletter", "reader", ack_wait=5.0)
    letters: list[Delivery] = []
    for _ in range(20):
        letters.extend(await bus.fetch(reader, batch=10, timeout=0.2))
        if len(letters) >= count:
            break
    return letters


@contextlib.asynccontextmanager
async def _bus(harness: Harness, unreachable: bool = False):  # type: ignore[no-untyped-def]
    bus = harness.unreachable_bus() if unreachable else harness.new_bus()
    try:
        yield bus
    finally:
        await bus.close()


async def test_publish_fetch_ack_and_deduplication(harness: Harness) -> None:
    events = _events("11", 3)
    async with _bus(harness) as bus:
        sequences = [
            await bus.publish("orders.OrderStatusChanged", encode(e), message_id=e.id)
            for e in events
        ]
        again = await bus.publish(
            "orders.OrderStatusChanged", encode(events[0]), message_id=events[0].id
        )
        assert again == sequences[0] and sequences == sorted(sequences)
        spec = _spec()
        deliveries = await bus.fetch(spec, batch=10, timeout=1.0)
        assert [d.data for d in deliveries] == [encode(e) for e in events]
        assert [(d.sequence, d.attempt, d.subject) for d in deliveries] == [
            (s, 1, "orders.OrderStatusChanged") for s in sequences
        ]
        for delivery in deliveries:
            await delivery.ack()
        assert await bus.fetch(spec, batch=10, timeout=0.8) == []  # acked: not redelivered


async def test_unsettled_and_naked_messages_are_redelivered(harness: Harness) -> None:
    (event,) = _events("12", 1)
    async with _bus(harness) as bus:
        await bus.publish("orders.OrderStatusChanged", encode(event), message_id=event.id)
        spec = _spec(ack_wait=0.5)
        # One at a time: a bigger batch could hold a later redelivery of the same message.
        (first,) = await bus.fetch(spec, batch=1, timeout=1.0)
        assert await bus.fetch(spec, batch=1, timeout=0.2) == []  # leased
        (second,) = await bus.fetch(spec, batch=1, timeout=2.0)  # the lease ran out
        assert (second.sequence, second.attempt) == (first.sequence, 2)
        await second.nak(0.4)
        assert await bus.fetch(spec, batch=1, timeout=0.15) == []  # backing off
        (third,) = await bus.fetch(spec, batch=1, timeout=2.0)
        assert third.attempt == 3
        await third.ack()


async def test_a_consumer_dying_mid_batch_loses_nothing_and_applies_each_event_once(
    harness: Harness,
) -> None:
    events = _events("21", 20)
    await _produce(harness, events)
    async with _bus(harness) as producer_bus:
        assert await relay_pending(harness.database, harness.tables.outbox, producer_bus) == 20
    handler = _recording_handler(harness)
    spec = _spec()
    handled = 0

    async def dies_after_the_eighth(envelope: Envelope) -> None:
        nonlocal handled
        await handler(envelope)  # committed, then the process dies before the ack
        handled += 1
        if handled == 8:
            raise _Crash

    crashed = harness.new_bus()
    try:
        await drain(crashed, spec, dies_after_the_eighth, batch=50, wait=0.5)
    except _Crash:
        pass
    else:
        raise AssertionError("the consumer did not reach its crash")
    await crashed.close()
    assert len(await _effects(harness)) == 8
    async with _bus(harness) as restarted:  # a new process, after the lease ran out
        outcomes = await drain(restarted, spec, handler, batch=50, wait=1.5)
    effects = await _effects(harness)
    assert sorted(marker for _, _, marker in effects) == list(range(20))
    assert len({event_id for event_id, _, _ in effects}) == 20
    assert outcomes[Outcome.ACKED] == 13  # the eighth again (a no-op) and the twelve unseen


async def test_the_outbox_keeps_events_while_the_broker_is_down_and_the_relay_catches_up(
    harness: Harness,
) -> None:
    before, during = _events("31", 5), _events("31", 5, first=5)
    await _produce(harness, before)
    async with _bus(harness, unreachable=True) as down:
        assert await relay_pending(harness.database, harness.tables.outbox, down) == 0
        await _produce(harness, during)  # producers do not notice
        assert await relay_pending(harness.database, harness.tables.outbox, down) == 0
    async with _bus(harness) as up:
        assert await relay_pending(harness.database, harness.tables.outbox, up) == 10
        assert await relay_pending(harness.database, harness.tables.outbox, up) == 0
        await drain(up, _spec(), _recording_handler(harness), wait=0.5)
    assert [marker for _, _, marker in await _effects(harness)] == list(range(10))


async def test_a_poison_message_is_dead_lettered_after_max_deliveries_with_the_reason(
    harness: Harness,
) -> None:
    (event,) = _events("41", 1)
    calls = 0

    async def poison(_envelope: Envelope) -> None:
        nonlocal calls
        calls += 1
        raise ValueError("cannot apply this one")

    async with _bus(harness) as bus:
        sequence = await bus.publish(
            "orders.OrderStatusChanged", encode(event), message_id=event.id
        )
        outcomes = await drain(bus, _spec(max_deliver=3), poison, wait=0.6)
        assert (outcomes[Outcome.RETRYING], outcomes[Outcome.DEAD_LETTERED], calls) == (2, 1, 3)
        assert await bus.fetch(_spec(), batch=5, timeout=0.8) == []  # terminated, not redelivered
        (letter,) = await _dead_letters(bus, 1)
    assert letter.subject == "deadletter.orders.marketing"
    assert letter.data == encode(event)
    assert letter.headers["Dead-Letter-Reason"] == (
        "failed 3 times, last: ValueError: cannot apply this one"
    )
    assert letter.headers["Original-Subject"] == "orders.OrderStatusChanged"
    assert letter.headers["Original-Sequence"] == str(sequence)
    assert letter.headers["Attempts"] == "3"


async def test_a_message_whose_consumer_keeps_dying_is_dead_lettered(harness: Harness) -> None:
    (event,) = _events("42", 1)

    async def dies(_envelope: Envelope) -> None:
        raise _Crash

    spec = _spec(max_deliver=2, ack_wait=0.4)
    async with _bus(harness) as bus:
        await bus.publish("orders.OrderStatusChanged", encode(event), message_id=event.id)
        for _ in range(2):
            consumer = harness.new_bus()
            with contextlib.suppress(_Crash):
                await drain(consumer, spec, dies, wait=1.5)
            await consumer.close()
        outcomes = await drain(bus, spec, dies, wait=1.5)
        assert outcomes[Outcome.DEAD_LETTERED] == 1
        (letter,) = await _dead_letters(bus, 1)
    assert letter.headers["Dead-Letter-Reason"].startswith("max deliveries (2) reached")
    assert letter.headers["Attempts"] == "3"


async def test_invalid_messages_are_dead_lettered_at_once_with_the_reason(
    harness: Harness,
) -> None:
    wrong = Envelope(
        id="e-1",
        source=ORDER_PLACED_V1.source,
        type=ORDER_PLACED_V1.type,
        subject="51",
        time=datetime.now(UTC),
        dataschema=ORDER_PLACED_V1.dataschema,
        data={"orderId": "51"},
    )
    handled: list[Envelope] = []

    async def record(envelope: Envelope) -> None:
        handled.append(envelope)

    async with _bus(harness) as bus:
        await bus.publish("orders.OrderPlaced", b"{not json", message_id="garbage")
        await bus.publish("orders.OrderPlaced", encode(wrong), message_id=wrong.id)
        outcomes = await drain(bus, _spec(), record, wait=0.6)
        letters = await _dead_letters(bus, 2)
    assert (outcomes[Outcome.DEAD_LETTERED], handled) == (2, [])
    assert [letter.data for letter in letters] == [b"{not json", encode(wrong)]
    reasons = [letter.headers["Dead-Letter-Reason"] for letter in letters]
    assert reasons[0].startswith("invalid event: not JSON")
    assert reasons[1] == (
        "invalid event: orders.OrderPlaced v1 (data): 'customerId' is a required property"
    )
    assert [letter.headers["Attempts"] for letter in letters] == ["1", "1"]


async def test_per_aggregate_order_holds_under_concurrent_producers_and_relay(
    harness: Harness,
) -> None:
    aggregates = [str(60 + index) for index in range(6)]
    per_aggregate = 12
    events = {aggregate: _events(aggregate, per_aggregate) for aggregate in aggregates}

    async def producer(aggregate: str) -> None:
        for envelope in events[aggregate]:
            await _produce(harness, [envelope])
            await asyncio.sleep(0)

    outbox = harness.tables.outbox
    async with _bus(harness) as relay_bus, _bus(harness) as consumer_bus:
        relay = asyncio.create_task(
            relay_forever(harness.database, outbox, relay_bus, interval=0.005)
        )
        try:
            await asyncio.gather(*(producer(aggregate) for aggregate in aggregates))
            for _ in range(400):
                async with harness.database.sessions() as session:
                    left = await session.scalar(
                        select(func.count()).select_from(outbox).where(outbox.published.is_(False))
                    )
                if not left:
                    break
                await asyncio.sleep(0.02)
        finally:
            relay.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await relay
        await drain(consumer_bus, _spec(), _recording_handler(harness), wait=0.5)
    effects = await _effects(harness)
    assert len(effects) == len(aggregates) * per_aggregate
    for aggregate in aggregates:
        seen = [marker for _, seen_aggregate, marker in effects if seen_aggregate == aggregate]
        assert seen == list(range(per_aggregate)), aggregate
    interleaved = [aggregate for _, aggregate, _ in effects]
    assert len([key for key, _ in itertools.groupby(interleaved)]) > len(aggregates)


async def test_two_instances_of_a_service_share_its_consumer(harness: Harness) -> None:
    events = _events("75", 30)
    calls: list[str] = []

    async def record(envelope: Envelope) -> None:
        calls.append(envelope.id)
        await asyncio.sleep(0.005)

    spec = _spec(ack_wait=10.0)
    async with _bus(harness) as bus, _bus(harness) as first, _bus(harness) as second:
        for envelope in events:
            await bus.publish("orders.OrderStatusChanged", encode(envelope), message_id=envelope.id)
        await asyncio.gather(
            drain(first, spec, record, batch=4, wait=0.5),
            drain(second, spec, record, batch=4, wait=0.5),
        )
    assert sorted(calls) == sorted(e.id for e in events)  # each handled once, none lost


async def test_replay_from_a_sequence_and_from_a_time(harness: Harness) -> None:
    events = _events("71", 6)
    async with _bus(harness) as bus:
        sequences = []
        for index, envelope in enumerate(events):
            if index == 3:
                await asyncio.sleep(0.1)
                mark = datetime.now(UTC)
                await asyncio.sleep(0.1)
            sequences.append(
                await bus.publish(
                    "orders.OrderStatusChanged", encode(envelope), message_id=envelope.id
                )
            )
        live = _spec()
        for delivery in await bus.fetch(live, batch=10, timeout=1.0):
            await delivery.ack()
        by_sequence = _spec(name="replay-seq", start=StartAt(sequence=sequences[2]))
        by_time = _spec(name="replay-time", start=StartAt(time=mark))
        replayed_from_sequence = await bus.fetch(by_sequence, batch=10, timeout=1.0)
        replayed_from_time = await bus.fetch(by_time, batch=10, timeout=1.0)
    assert [d.data for d in replayed_from_sequence] == [encode(e) for e in events[2:]]
    assert [d.data for d in replayed_from_time] == [encode(e) for e in events[3:]]
