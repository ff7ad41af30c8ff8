"""The ``harness`` fixture: each behaviour test runs once on the embedded bus and once on
NATS JetStream (skipped, with the reason, when no server answers at ``NATS_URL``)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import delete

from events.embedded_bus import EmbeddedBus
from events.nats_bus import NatsBus
from models.database import open_database
from models.event_store import EventConsumer, EventDelivery, EventLog
from models.migrate import upgrade
from tests.events.harness import (
    NATS_URL,
    Harness,
    embedded_harness,
    make_tables,
    nats_harness,
    new_namespace,
)

# Nothing listens here (this suite's port range is 7700-7799): the "broker down" address.
CLOSED_PORT = 7799


async def _forget_namespace(bus: EmbeddedBus) -> None:
    """The embedded streams of this namespace (a shared PostgreSQL keeps no test's rows)."""
    prefix = bus.stream_name("")
    async with bus.database.sessions() as session, session.begin():
        for table in (EventDelivery, EventConsumer, EventLog):
            await session.execute(delete(table).where(table.stream.startswith(prefix)))


@pytest.fixture(params=["embedded", "nats"])
async def harness(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Harness]:
    namespace = new_namespace()
    url = os.environ.get("DATABASE_URL") or f"sqlite+aiosqlite:///{tmp_path / 'events.db'}"
    database = open_database(url)
    tables = make_tables(namespace)
    await database.create_tables(tables.metadata)
    await upgrade(database, "events")
    harness = (
        embedded_harness(namespace, database, tables, tmp_path)
        if request.param == "embedded"
        else nats_harness(namespace, database, tables, CLOSED_PORT)
    )
    probe = harness.new_bus()
    if isinstance(probe, NatsBus):
        try:
            await probe.jetstream()
        except Exception as error:
            await database.dispose()
            pytest.skip(f"NATS JetStream not reachable at {NATS_URL}: {error}")
    try:
        yield harness
    finally:
        if isinstance(probe, NatsBus):
            await probe.delete_streams("orders", "deadletter")
        await probe.close()
        if isinstance(probe, EmbeddedBus):
            await _forget_namespace(probe)
        await database.drop_tables(tables.metadata)
        await database.dispose()
