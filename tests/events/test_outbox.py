"""Staging an event: the row carries the checked envelope; an event that fails its schema
is refused and the producer's whole transaction (the change with it) rolls back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import func, select

from events.catalogue import ORDER_PLACED_V1, event_of
from events.envelope import decode
from events.errors import SchemaViolation
from events.outbox import stage
from models.database import Database, open_database
from tests.events.harness import Tables, make_tables, new_namespace

_PLACED = {
    "orderId": "7",
    "customerId": "3",
    "currency": "CNY",
    "placedAt": "2026-12-01T08:30:00+00:00",
    "lines": [{"productId": "5", "quantity": 2, "unitPriceMinor": 1999}],
}


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[tuple[Database, Tables]]:
    database = open_database(f"sqlite+aiosqlite:///{tmp_path / 'producer.db'}")
    tables = make_tables(new_namespace())
    await database.create_tables(tables.metadata)
    yield database, tables
    await database.dispose()


async def test_a_staged_row_carries_the_envelope(store: tuple[Database, Tables]) -> None:
    database, tables = store
    event = event_of(ORDER_PLACED_V1, "7", _PLACED)
    async with database.sessions() as session, session.begin():
        stage(session, tables.outbox, event)
    async with database.sessions() as session:
        row = await session.scalar(select(tables.outbox))
    assert row is not None and not row.published
    assert (row.event_id, row.event_type, row.aggregate_id, row.subject) == (
        event.id,
        "orders.OrderPlaced",
        "7",
        "orders.OrderPlaced",
    )
    assert decode(row.envelope.encode()) == event


async def test_an_event_that_fails_its_schema_rolls_the_producer_back(
    store: tuple[Database, Tables],
) -> None:
    database, tables = store
    valid = event_of(ORDER_PLACED_V1, "8", _PLACED)
    invalid = replace(valid, data={**_PLACED, "currency": "yuan"})
    with pytest.raises(SchemaViolation, match="currency: 'yuan' does not match"):
        async with database.sessions() as session, session.begin():
            stage(session, tables.outbox, valid)  # the change the event describes
            stage(session, tables.outbox, invalid)
    async with database.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(tables.outbox)) == 0
