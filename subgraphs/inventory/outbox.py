"""The inventory domain's events, staged in its outbox (``InventoryEvent``) in the transaction
of the change they describe.

- ``StockReserved`` / ``StockReleased`` (reason RELEASED or EXPIRED) / ``StockFulfilled`` /
  ``ReservationConfirmed``: about a reservation reference (the event subject);
- ``StockAdjusted``: on-hand units changed outside a reservation (the API, the ERP, a store
  sale), about the product;
- ``StockLow``: the product's available units (all warehouses) fell below
  ``LOW_STOCK_THRESHOLD`` with this change. Edge-triggered: sent when a change takes the
  product from at or above the threshold to below it, so a product selling its last units
  one by one raises it once, and again only after it was restocked above the threshold.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from events.catalogue import (
    RESERVATION_CONFIRMED,
    STOCK_ADJUSTED,
    STOCK_FULFILLED,
    STOCK_LOW,
    STOCK_RELEASED,
    STOCK_RESERVED,
    event_of,
)
from events.outbox import stage
from models.base import utcnow
from models.inventory import InventoryEvent, Reservation, StockLevel, Warehouse

__all__ = [
    "LOW_STOCK_THRESHOLD",
    "stage_adjusted",
    "stage_confirmed",
    "stage_if_low",
    "stage_reserved",
    "stage_settled",
]

LOW_STOCK_THRESHOLD = 10


async def _codes(session: AsyncSession, warehouse_ids: Collection[int]) -> dict[int, str]:
    rows = await session.execute(
        select(Warehouse.id, Warehouse.code).where(Warehouse.id.in_(set(warehouse_ids)))
    )
    return {warehouse_id: code for warehouse_id, code in rows}


async def _lines(session: AsyncSession, rows: Sequence[Reservation]) -> list[dict[str, Any]]:
    codes = await _codes(session, {row.warehouse_id for row in rows})
    return [
        {
            "productId": str(row.product_id),
            "warehouseCode": codes[row.warehouse_id],
            "quantity": row.quantity,
        }
        for row in rows
    ]


async def stage_reserved(
    session: AsyncSession, reference: str, rows: Sequence[Reservation], expires_at: datetime
) -> None:
    data = {
        "reference": reference,
        "lines": await _lines(session, rows),
        "reservedAt": utcnow().isoformat(),
        "expiresAt": expires_at.isoformat(),
    }
    stage(session, InventoryEvent, event_of(STOCK_RESERVED, reference, data))


async def stage_settled(
    session: AsyncSession,
    reference: str,
    rows: Sequence[Reservation],
    *,
    fulfilled: bool,
    expired: bool,
) -> None:
    """``StockFulfilled``, or ``StockReleased`` (reason EXPIRED when the sweeper released)."""
    if not rows:
        return
    now = utcnow().isoformat()
    lines = await _lines(session, rows)
    if fulfilled:
        data = {"reference": reference, "lines": lines, "fulfilledAt": now}
        stage(session, InventoryEvent, event_of(STOCK_FULFILLED, reference, data))
        return
    reason = "EXPIRED" if expired else "RELEASED"
    data = {"reference": reference, "reason": reason, "lines": lines, "releasedAt": now}
    stage(session, InventoryEvent, event_of(STOCK_RELEASED, reference, data))


def stage_confirmed(session: AsyncSession, reference: str, order_id: str) -> None:
    data = {"reference": reference, "orderId": order_id, "confirmedAt": utcnow().isoformat()}
    stage(session, InventoryEvent, event_of(RESERVATION_CONFIRMED, reference, data))


def stage_adjusted(
    session: AsyncSession,
    level: StockLevel,
    warehouse_code: str,
    delta: int,
    cause: str,
    reference: str | None = None,
) -> None:
    data: dict[str, Any] = {
        "productId": str(level.product_id),
        "warehouseCode": warehouse_code,
        "delta": delta,
        "onHand": level.on_hand,
        "reserved": level.reserved,
        "cause": cause,
        "adjustedAt": utcnow().isoformat(),
    }
    if reference is not None:
        data["reference"] = reference
    stage(session, InventoryEvent, event_of(STOCK_ADJUSTED, str(level.product_id), data))


async def stage_if_low(session: AsyncSession, taken: Mapping[int, int]) -> None:
    """``StockLow`` for each product whose availability crossed below the threshold now
    that ``taken`` units (per product) stopped being available."""
    if not taken:
        return
    rows = await session.execute(
        select(StockLevel.product_id, func.sum(StockLevel.on_hand - StockLevel.reserved))
        .where(StockLevel.product_id.in_(list(taken)))
        .group_by(StockLevel.product_id)
    )
    for product_id, available in rows:
        after = int(available)
        if after < LOW_STOCK_THRESHOLD <= after + taken[product_id]:
            data = {
                "productId": str(product_id),
                "available": after,
                "threshold": LOW_STOCK_THRESHOLD,
                "detectedAt": utcnow().isoformat(),
            }
            stage(session, InventoryEvent, event_of(STOCK_LOW, str(product_id), data))
