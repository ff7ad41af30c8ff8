"""The background work of each domain beside its GraphQL API: publishing its outbox and
consuming the events it subscribes to. The development platform runs every domain's
workers in its one process; ``python -m subgraphs serve`` runs the served domain's.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping

from events.bus import EventBus
from events.relay import relay_forever
from models.database import Database
from models.orders import OrderEvent
from subgraphs.marketing.order_events import consume_order_events

__all__ = ["WORKERS", "Worker", "relay_order_events", "running_workers"]

Worker = Callable[[Database, EventBus], Awaitable[None]]


async def relay_order_events(database: Database, bus: EventBus) -> None:
    await relay_forever(database, OrderEvent, bus)


WORKERS: Mapping[str, tuple[Worker, ...]] = {
    "orders": (relay_order_events,),
    "marketing": (consume_order_events,),
}


@contextlib.asynccontextmanager
async def running_workers(
    databases: Mapping[str, Database], bus: EventBus
) -> AsyncIterator[list[asyncio.Task[None]]]:
    """Run the workers of the domains in ``databases`` until the block exits."""
    tasks = [
        asyncio.create_task(_run(worker(database, bus)), name=f"{domain} worker")
        for domain, database in databases.items()
        for worker in WORKERS.get(domain, ())
    ]
    try:
        yield tasks
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def _run(work: Awaitable[None]) -> None:
    await work
