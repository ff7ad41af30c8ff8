"""A bus of a test's own for the domain consumer tests: the embedded bus in a fresh SQLite
file, or a fresh namespace on NATS JetStream (skipped, with the reason, when no server
answers), its streams deleted afterwards."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from events.bus import EventBus
from events.embedded_bus import EmbeddedBus
from events.errors import BrokerUnavailable
from events.nats_bus import NatsBus
from models.database import open_database
from tests.events.harness import NATS_URL, new_namespace

__all__ = ["BUS_KINDS", "STREAMS", "own_bus"]

BUS_KINDS = ["embedded", "nats"]
STREAMS = ("orders", "inventory", "products", "customers", "marketing", "integration", "deadletter")


@contextlib.asynccontextmanager
async def own_bus(kind: str, tmp_path: Path) -> AsyncIterator[EventBus]:
    bus: EventBus
    if kind == "nats":
        bus = NatsBus(NATS_URL, namespace=new_namespace())
        try:
            await bus.jetstream()
        except BrokerUnavailable as error:
            pytest.skip(f"NATS JetStream not reachable at {NATS_URL}: {error}")
    else:
        store = open_database(f"sqlite+aiosqlite:///{tmp_path / 'bus.db'}")
        bus = EmbeddedBus(store, owns_database=True)
    try:
        yield bus
    finally:
        if isinstance(bus, NatsBus):
            await bus.delete_streams(*STREAMS)
        await bus.close()
