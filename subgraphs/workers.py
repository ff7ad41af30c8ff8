"""The background work of each domain beside its GraphQL API: publishing its outbox and
consuming the events it subscribes to (other domains' events and inbound integration
messages), and inventory's reservation sweeper. The development platform runs every domain's
workers in its one process; ``python -m subgraphs serve`` runs the served domain's.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping

from events.bus import EventBus
from events.relay import relay_forever
from models.customers import CustomerEvent
from models.database import Database
from models.inventory import InventoryEvent
from models.marketing import MarketingEvent
from models.orders import OrderEvent
from models.outbox import OutboxRecord
from models.products import ProductEvent
from subgraphs.customers.crm_contacts import consume_contact_updates
from subgraphs.inventory import order_events as inventory_order_events
from subgraphs.inventory.erp_adjustments import consume_erp_adjustments
from subgraphs.inventory.sweeper import sweep_forever
from subgraphs.marketing import order_events as marketing_order_events
from subgraphs.orders.pos_sales import consume_pos_sales
from subgraphs.orders.subscriptions import feed_order_events

__all__ = ["OUTBOXES", "WORKERS", "Worker", "relay_of", "running_workers"]

Worker = Callable[[Database, EventBus], Awaitable[None]]

# Each domain's transactional outbox, published to its stream (``<domain>.>``).
OUTBOXES: Mapping[str, type[OutboxRecord]] = {
    "customers": CustomerEvent,
    "inventory": InventoryEvent,
    "marketing": MarketingEvent,
    "orders": OrderEvent,
    "products": ProductEvent,
}


def relay_of(outbox: type[OutboxRecord]) -> Worker:
    async def relay(database: Database, bus: EventBus) -> None:
        await relay_forever(database, outbox, bus)

    relay.__name__ = f"relay_{outbox.__name__}"
    return relay


WORKERS: Mapping[str, tuple[Worker, ...]] = {
    "customers": (relay_of(CustomerEvent), consume_contact_updates),
    "inventory": (
        relay_of(InventoryEvent),
        inventory_order_events.consume_order_events,
        consume_erp_adjustments,
        sweep_forever,
    ),
    "marketing": (relay_of(MarketingEvent), marketing_order_events.consume_order_events),
    "orders": (relay_of(OrderEvent), consume_pos_sales, feed_order_events),
    "products": (relay_of(ProductEvent),),
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
