"""The background writer: records reach the database without the caller waiting; with the
database down they are spooled to disk, and written once it is back."""

from __future__ import annotations

import uuid
from pathlib import Path

from models.database import Database, open_database
from router.audit.store import AuditStore
from router.audit.writer import AuditWriter
from tests.router.audit.test_store import record


async def test_submitted_records_are_written_in_the_background(
    database: Database, tmp_path: Path
) -> None:
    writer = AuditWriter(AuditStore(database), tmp_path / "spool.jsonl")
    await writer.start()
    subject = f"bg-{uuid.uuid4().hex[:8]}"
    try:
        for _ in range(3):
            writer.submit(record(subject))
        await writer.flush()
    finally:
        await writer.aclose()
    assert len(await writer.store.list(subject=subject)) == 3
    assert writer.counters.written == 3
    assert not (tmp_path / "spool.jsonl").exists()


async def test_a_database_outage_spools_records_and_the_next_write_replays_them(
    database: Database, tmp_path: Path
) -> None:
    spool = tmp_path / "spool.jsonl"
    down = open_database(f"sqlite+aiosqlite:///{tmp_path / 'missing' / 'no.db'}")
    writer = AuditWriter(AuditStore(down), spool)
    subject = f"outage-{uuid.uuid4().hex[:8]}"
    mutation = record(subject, operation_type="mutation", fields=("Mutation.placeOrder",))
    await writer._write([mutation])  # the database cannot be opened: nothing raises
    assert writer.counters.write_failures == 1
    assert spool.exists()
    assert b"Mutation.placeOrder" in spool.read_bytes()
    await down.dispose()
    writer.store = AuditStore(database)  # the database is back
    await writer._write([record(subject)])
    assert mutation in await writer.store.list(subject=subject)
    assert writer.counters.replayed == 1
    assert not spool.exists()


async def test_a_full_queue_spools_instead_of_blocking(database: Database, tmp_path: Path) -> None:
    spool = tmp_path / "spool.jsonl"
    writer = AuditWriter(AuditStore(database), spool, queue_size=1)  # not started: stays full
    subject = f"full-{uuid.uuid4().hex[:8]}"
    writer.submit(record(subject))
    writer.submit(record(subject))
    assert writer.counters.spooled == 1
    await writer.start()  # replays the spool, then writes the queue
    await writer.flush()
    await writer.aclose()
    assert len(await writer.store.list(subject=subject)) == 2
