"""Reserving stock for a reference (all or nothing, idempotent), releasing it, fulfilling it.

A reservation row holds ``quantity`` units of one product in one warehouse; reserving moves
units into ``StockLevel.reserved``, releasing moves them back, fulfilling (shipping) takes
them out of both ``reserved`` and ``on_hand``. Each change stages its event
(``subgraphs.inventory.outbox``) in its transaction.

A new reservation expires after ``RESERVATION_TTL`` unless the order it was made for is
written: the order's ``OrderPlaced`` event confirms it (``confirm``: no expiry any more).
``sweep_expired`` releases the unconfirmed ones past their expiry, so a crash between the
reservation and the order's insert leaks nothing.
"""

from __future__ import annotations

import logging
import os
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.base import utcnow
from models.database import Database
from models.inventory import Reservation, ReservationStatus, StockLevel
from subgraphs.common.errors import Conflict
from subgraphs.inventory.locking import lock_reference, locked_stock
from subgraphs.inventory.outbox import (
    stage_confirmed,
    stage_if_low,
    stage_reserved,
    stage_settled,
)

__all__ = [
    "RESERVATION_TTL",
    "Allocation",
    "allocate",
    "confirm",
    "fulfill",
    "release",
    "reserve",
    "sweep_expired",
]

logger = logging.getLogger("subgraphs.inventory.reservations")

# How long an unconfirmed reservation holds stock: far beyond a placeOrder's own duration,
# and long enough for the OrderPlaced event to arrive through a short relay or broker outage.
RESERVATION_TTL = timedelta(seconds=float(os.environ.get("INVENTORY_RESERVATION_TTL_S", "900")))

_HELD = (ReservationStatus.ACTIVE, ReservationStatus.FULFILLED)


class Allocation(NamedTuple):
    product_id: int
    warehouse_id: int
    quantity: int


def _allocate_product(
    product_id: int, wanted: int, levels: Sequence[StockLevel]
) -> list[Allocation]:
    """Take from the warehouses with the most available first (fewest parcels)."""
    ranked = sorted(levels, key=lambda row: (row.reserved - row.on_hand, row.warehouse_id))
    available = sum(row.on_hand - row.reserved for row in ranked)
    if available < wanted:
        raise Conflict(
            f"Insufficient stock for product {product_id}: {wanted} wanted, {available} available",
            productId=str(product_id),
            requested=wanted,
            available=available,
        )
    allocations: list[Allocation] = []
    for row in ranked:
        if wanted == 0:
            break
        take = min(wanted, row.on_hand - row.reserved)
        if take > 0:
            allocations.append(Allocation(product_id, row.warehouse_id, take))
            wanted -= take
    return allocations


def allocate(wanted: Mapping[int, int], levels: Iterable[StockLevel]) -> list[Allocation]:
    """Where each product's units come from; CONFLICT naming the first short product."""
    by_product: dict[int, list[StockLevel]] = defaultdict(list)
    for row in levels:
        by_product[row.product_id].append(row)
    return [
        allocation
        for product_id, quantity in wanted.items()
        for allocation in _allocate_product(product_id, quantity, by_product[product_id])
    ]


async def _held(session: AsyncSession, reference: str) -> list[Reservation]:
    rows = await session.scalars(
        select(Reservation)
        .where(Reservation.reference == reference, Reservation.status.in_(_HELD))
        .order_by(Reservation.id)
    )
    return list(rows)


def _same_request(held: Sequence[Reservation], wanted: Mapping[int, int]) -> bool:
    totals: dict[int, int] = defaultdict(int)
    for row in held:
        totals[row.product_id] += row.quantity
    return totals == dict(wanted)


async def _take(session: AsyncSession, allocation: Allocation) -> None:
    """Reserve under the rows' lock; the condition also guards the check constraint."""
    result = await session.execute(
        update(StockLevel)
        .where(
            StockLevel.product_id == allocation.product_id,
            StockLevel.warehouse_id == allocation.warehouse_id,
            StockLevel.on_hand - StockLevel.reserved >= allocation.quantity,
        )
        .values(reserved=StockLevel.reserved + allocation.quantity)
        .execution_options(synchronize_session=False)
        .returning(StockLevel.product_id)
    )
    if result.scalar_one_or_none() is None:
        raise Conflict(
            f"Insufficient stock for product {allocation.product_id}",
            productId=str(allocation.product_id),
        )


async def reserve(
    database: Database, reference: str, wanted: Mapping[int, int]
) -> list[Reservation]:
    """Reserve every line or none. The same reference again returns what it already holds
    (CONFLICT if it asks for different quantities); a released reference can reserve anew."""
    async with database.sessions() as session:
        await lock_reference(session, reference)
        held = await _held(session, reference)
        if held:
            if not _same_request(held, wanted):
                raise Conflict(
                    f"Reference {reference!r} already holds a different reservation",
                    reference=reference,
                )
            return held
        allocations = allocate(wanted, await locked_stock(session, list(wanted)))
        expires_at = utcnow() + RESERVATION_TTL
        rows = [
            Reservation(
                reference=reference,
                product_id=allocation.product_id,
                warehouse_id=allocation.warehouse_id,
                quantity=allocation.quantity,
                status=ReservationStatus.ACTIVE,
                expires_at=expires_at,
            )
            for allocation in allocations
        ]
        for allocation in allocations:
            await _take(session, allocation)
        session.add_all(rows)
        await stage_reserved(session, reference, rows, expires_at)
        await stage_if_low(session, wanted)
        await session.commit()
    return rows


async def _settle(
    database: Database,
    reference: str,
    target: ReservationStatus,
    *,
    expired_before: datetime | None = None,
) -> int:
    """Move the reference's ACTIVE reservations (only those expired before
    ``expired_before`` when given) to ``target`` and give their units back (released) or
    out (fulfilled). Returns how many moved; 0 when none were active."""
    async with database.sessions() as session:
        await lock_reference(session, reference)
        statement = (
            select(Reservation)
            .where(
                Reservation.reference == reference,
                Reservation.status == ReservationStatus.ACTIVE,
            )
            .order_by(Reservation.product_id, Reservation.warehouse_id)
            .with_for_update()  # a concurrent confirm waits, then finds them settled
        )
        if expired_before is not None:
            statement = statement.where(Reservation.expires_at < expired_before)
        active = list(await session.scalars(statement))
        await locked_stock(session, {row.product_id for row in active})
        for row in active:
            row.status = target
            values = {"reserved": StockLevel.reserved - row.quantity}
            if target is ReservationStatus.FULFILLED:
                values["on_hand"] = StockLevel.on_hand - row.quantity
            await session.execute(
                update(StockLevel)
                .where(
                    StockLevel.product_id == row.product_id,
                    StockLevel.warehouse_id == row.warehouse_id,
                )
                .values(values)
                .execution_options(synchronize_session=False)
            )
        fulfilled = target is ReservationStatus.FULFILLED
        expired = expired_before is not None
        await stage_settled(session, reference, active, fulfilled=fulfilled, expired=expired)
        await session.commit()
    return len(active)


async def release(database: Database, reference: str) -> int:
    return await _settle(database, reference, ReservationStatus.RELEASED)


async def fulfill(database: Database, reference: str) -> int:
    return await _settle(database, reference, ReservationStatus.FULFILLED)


async def confirm(session: AsyncSession, reference: str, order_id: str) -> int:
    """The order ``reference`` was reserved for is written: its ACTIVE reservations no longer
    expire (in the caller's transaction). Returns how many were confirmed; 0 with an error
    logged when none were active (they expired first: the order holds no stock)."""
    result = await session.execute(
        update(Reservation)
        .where(
            Reservation.reference == reference,
            Reservation.status == ReservationStatus.ACTIVE,
            Reservation.expires_at.is_not(None),
        )
        .values(expires_at=None)
        .execution_options(synchronize_session=False)
        .returning(Reservation.id)
    )
    confirmed = len(result.all())
    if confirmed:
        stage_confirmed(session, reference, order_id)
    elif await _held(session, reference) == []:
        logger.error(
            "order %s: reservation %r expired before it was confirmed", order_id, reference
        )
    return confirmed


async def sweep_expired(database: Database, *, now: datetime | None = None) -> int:
    """Release every ACTIVE reservation past its expiry; returns how many rows."""
    now = now or utcnow()
    async with database.reads() as session:
        references = list(
            await session.scalars(
                select(Reservation.reference)
                .where(
                    Reservation.status == ReservationStatus.ACTIVE,
                    Reservation.expires_at < now,
                )
                .distinct()
            )
        )
    released = 0
    for reference in references:
        released += await _settle(
            database, reference, ReservationStatus.RELEASED, expired_before=now
        )
    return released
