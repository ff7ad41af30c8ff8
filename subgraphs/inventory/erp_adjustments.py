"""Inventory's consumer of ``integration.erp.stock-adjustment``: goods the ERP received into
or wrote off from a warehouse. The message was checked against its schema before it gets
here (``events.consumer``); an adjustment that cannot apply (unknown warehouse, removing
more than is free) is rejected and dead-lettered with the reason. Applied ones stage
``StockAdjusted`` (cause ERP, reference ``erp:<adjustmentId>``) in the same transaction.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from events.bus import ConsumerSpec, EventBus
from events.consumer import Handler, consume_forever
from events.envelope import Envelope
from events.errors import Rejected
from events.inbox import idempotent
from models.database import Database
from models.inventory import InventoryInbox, Warehouse
from subgraphs.common.errors import Conflict
from subgraphs.inventory.stock import apply_adjustment

__all__ = ["CONSUMER", "apply_erp_adjustment", "consume_erp_adjustments", "erp_adjustment_handler"]

CONSUMER = ConsumerSpec(
    stream="integration", name="inventory", filter_subject="integration.erp.stock-adjustment"
)


async def apply_erp_adjustment(session: AsyncSession, envelope: Envelope) -> None:
    data = envelope.data
    code = data["warehouseCode"].upper()
    warehouse = await session.scalar(select(Warehouse).where(Warehouse.code == code))
    if warehouse is None:
        raise Rejected(f"no warehouse with code {code!r}")
    try:
        await apply_adjustment(
            session,
            warehouse,
            int(data["productId"]),
            int(data["delta"]),
            "ERP",
            reference=f"erp:{data['adjustmentId']}",
        )
    except Conflict as error:
        raise Rejected(str(error)) from error


def erp_adjustment_handler(database: Database) -> Handler:
    return idempotent(database, InventoryInbox, CONSUMER.name, apply_erp_adjustment)


async def consume_erp_adjustments(database: Database, bus: EventBus) -> None:
    await consume_forever(bus, CONSUMER, erp_adjustment_handler(database))
