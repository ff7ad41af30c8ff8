"""The embedded bus's own start-up: a process's workers share one bus and start at once on
a fresh store; its tables are created once, and no worker sees a spurious outage
(``table event_log already exists``)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from events.bus import ConsumerSpec
from events.embedded_bus import EmbeddedBus
from models.database import open_database


async def test_workers_starting_together_on_a_fresh_store_all_succeed(tmp_path: Path) -> None:
    bus = EmbeddedBus(
        open_database(f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"), owns_database=True
    )
    specs = [ConsumerSpec(stream="orders", name=f"worker-{n}") for n in range(8)]
    try:
        await asyncio.gather(*(bus.fetch(spec, batch=1, timeout=0.01) for spec in specs))
    finally:
        await bus.close()
