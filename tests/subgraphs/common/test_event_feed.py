"""The in-process fan-out of live events: by type, in order, once per event id, and a
listener that falls behind is ended rather than slowing the others."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator

import pytest

from events.catalogue import ORDER_PLACED, ORDER_STATUS_CHANGED, event_of
from events.envelope import Envelope
from subgraphs.common.event_feed import EventFeed, FeedOverflow


def status_changed(order: int, to: str) -> Envelope:
    data = {
        "orderId": str(order),
        "customerId": "1",
        "from": "PENDING",
        "to": to,
        "changedAt": "2026-01-01T00:00:00+00:00",
    }
    return event_of(ORDER_STATUS_CHANGED, str(order), data)


async def take(events: AsyncGenerator[Envelope, None], count: int) -> list[Envelope]:
    return [await anext(events) for _ in range(count)]


async def test_listeners_get_their_types_in_order_and_each_event_once() -> None:
    feed = EventFeed("orders")
    statuses = feed.events([ORDER_STATUS_CHANGED.type])
    placed = feed.events([ORDER_PLACED.type])
    first = asyncio.ensure_future(take(statuses, 2))
    await asyncio.sleep(0)  # both generators started: listening
    other = asyncio.ensure_future(anext(placed))
    await asyncio.sleep(0)
    assert feed.listeners == 2
    paid, shipped = status_changed(1, "PAID"), status_changed(1, "SHIPPED")
    for envelope in (paid, paid, shipped):  # the bus redelivered the first
        await feed.dispatch(envelope)
    assert [e.id for e in await first] == [paid.id, shipped.id]
    assert not other.done()
    other.cancel()
    await statuses.aclose()
    with pytest.raises(asyncio.CancelledError):
        await other
    await placed.aclose()
    assert feed.listeners == 0


async def test_a_listener_that_falls_behind_is_ended() -> None:
    feed = EventFeed("orders", queue_size=2)
    slow = feed.events([ORDER_STATUS_CHANGED.type])
    started = asyncio.ensure_future(anext(slow))
    await asyncio.sleep(0)
    for order in range(1, 5):
        await feed.dispatch(status_changed(order, "PAID"))
    with pytest.raises(FeedOverflow):  # not events 3 and 4 after a gap
        await started
    assert feed.listeners == 0
