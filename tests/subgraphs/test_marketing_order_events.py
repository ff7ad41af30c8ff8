"""Marketing's consumer of order events: counted once per event, cancellations take an
order back (facts and co-purchase pairs), and a cancellation that overtakes its order
keeps the order from ever being counted."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from events.catalogue import ORDER_CANCELLED, ORDER_PLACED_V1, ORDER_STATUS_CHANGED, event_of
from events.envelope import Envelope
from models import marketing
from models.database import Database, open_database
from subgraphs.marketing.order_events import order_event_handler

_CUSTOMER = 9


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Database]:
    database = open_database(f"sqlite+aiosqlite:///{tmp_path / 'marketing.db'}")
    await database.create_tables(marketing.Base.metadata)
    yield database
    await database.dispose()


def _placed(order_id: int, lines: dict[int, int]) -> Envelope:
    return event_of(
        ORDER_PLACED_V1,
        str(order_id),
        {
            "orderId": str(order_id),
            "customerId": str(_CUSTOMER),
            "currency": "CNY",
            "placedAt": "2026-12-01T00:00:00+00:00",
            "lines": [
                {"productId": str(p), "quantity": q, "unitPriceMinor": 100}
                for p, q in lines.items()
            ],
        },
    )


def _cancelled(order_id: int, lines: dict[int, int]) -> Envelope:
    return event_of(
        ORDER_CANCELLED,
        str(order_id),
        {
            "orderId": str(order_id),
            "customerId": str(_CUSTOMER),
            "previousStatus": "PENDING",
            "cancelledAt": "2026-12-01T00:01:00+00:00",
            "lines": [{"productId": str(p), "quantity": q} for p, q in lines.items()],
        },
    )


async def _facts(store: Database) -> dict[int, int]:
    async with store.sessions() as session:
        rows = await session.scalars(
            select(marketing.PurchaseFact).where(marketing.PurchaseFact.customer_id == _CUSTOMER)
        )
        return {fact.product_id: fact.quantity for fact in rows}


async def _pairs(store: Database) -> dict[tuple[int, int], int]:
    async with store.sessions() as session:
        rows = await session.scalars(select(marketing.ProductAffinity))
        return {(row.product_id, row.related_product_id): row.score for row in rows}


async def test_each_event_counts_once_and_a_cancellation_takes_the_order_back(
    store: Database,
) -> None:
    handle = order_event_handler(store)
    first, second = _placed(1, {10: 2, 11: 1}), _placed(2, {11: 4, 12: 1})
    for envelope in (first, first, second, second):
        await handle(envelope)
    assert await _facts(store) == {10: 2, 11: 5, 12: 1}
    assert await _pairs(store) == {
        pair: 1 for pair in ((10, 11), (11, 10), (10, 12), (12, 10), (11, 12), (12, 11))
    }
    cancel = _cancelled(2, {11: 4, 12: 1})
    await handle(cancel)
    await handle(cancel)
    assert await _facts(store) == {10: 2, 11: 1}
    assert await _pairs(store) == {(10, 11): 1, (11, 10): 1}
    async with store.sessions() as session:
        handled = await session.scalars(select(marketing.ProcessedEvent.event_id))
        assert set(handled) == {first.id, second.id, cancel.id}


async def test_a_cancellation_that_overtakes_its_order_keeps_it_uncounted(
    store: Database,
) -> None:
    handle = order_event_handler(store)
    await handle(_cancelled(3, {20: 1}))
    await handle(_placed(3, {20: 1}))
    assert await _facts(store) == {}


async def test_status_changes_are_acknowledged_without_effect(store: Database) -> None:
    changed = event_of(
        ORDER_STATUS_CHANGED,
        "4",
        {
            "orderId": "4",
            "customerId": str(_CUSTOMER),
            "from": "PENDING",
            "to": "PAID",
            "changedAt": "2026-12-01T00:00:00+00:00",
        },
    )
    await order_event_handler(store)(changed)
    assert await _facts(store) == {}
