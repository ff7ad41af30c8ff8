"""A real NATS outage: a JetStream server of this test's own (port 7760) stops while the
producer keeps writing, and starts again on the same store. The same ``NatsBus`` object
fails fast while it is down, reconnects after, and the relay catches up with no loss."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from events.bus import ConsumerSpec
from events.consumer import drain
from events.envelope import Envelope
from events.nats_bus import NatsBus
from events.outbox import stage
from events.relay import relay_pending
from models.database import Database, open_database
from tests.events.harness import Tables, make_tables, new_namespace
from tests.events.test_bus_behaviour import _events, _markers

PORT = 7760


class Server:
    def __init__(self, store: Path) -> None:
        self.store = store
        self.process: subprocess.Popen[bytes] | None = None

    async def start(self) -> None:
        self.process = subprocess.Popen(
            ["nats-server", "-a", "127.0.0.1", "-p", str(PORT), "-js", "-sd", str(self.store)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                _reader, writer = await asyncio.open_connection("127.0.0.1", PORT)
            except OSError:
                await asyncio.sleep(0.05)
                continue
            writer.close()
            await writer.wait_closed()
            return
        raise RuntimeError("nats-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    if shutil.which("nats-server") is None:
        pytest.skip("nats-server is not installed")
    server = Server(tmp_path / "jetstream")
    yield server
    server.stop()


@pytest.fixture
async def producer(tmp_path: Path) -> AsyncIterator[tuple[Database, Tables]]:
    database = open_database(f"sqlite+aiosqlite:///{tmp_path / 'producer.db'}")
    tables = make_tables(new_namespace())
    await database.create_tables(tables.metadata)
    yield database, tables
    await database.dispose()


async def _write(database: Database, tables: Tables, events: list[Envelope]) -> None:
    for envelope in events:
        async with database.sessions() as session, session.begin():
            stage(session, tables.outbox, envelope)


async def test_the_relay_catches_up_after_the_broker_comes_back(
    server: Server, producer: tuple[Database, Tables]
) -> None:
    database, tables = producer
    await server.start()
    bus = NatsBus(f"nats://127.0.0.1:{PORT}", namespace=new_namespace(), connect_timeout=0.5)
    try:
        await _write(database, tables, _events("81", 3))
        assert await relay_pending(database, tables.outbox, bus) == 3
        server.stop()
        await _write(database, tables, _events("81", 4, first=3))  # producers carry on
        for _ in range(3):
            assert await relay_pending(database, tables.outbox, bus) == 0
            await asyncio.sleep(0.3)
        await server.start()
        caught_up = 0
        for _ in range(50):  # what relay_forever does: try again a moment later
            caught_up += await relay_pending(database, tables.outbox, bus)
            if caught_up == 4:
                break
            await asyncio.sleep(0.1)
        assert caught_up == 4
        seen: list[int] = []

        async def record(envelope: Envelope) -> None:
            seen.append(_markers[envelope.id])

        await drain(bus, ConsumerSpec("orders", "marketing", ack_wait=5.0), record, wait=1.0)
        assert seen == list(range(7))
    finally:
        await bus.close()
