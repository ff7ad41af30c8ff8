"""Reserving stock for a reference (all or nothing, idempotent), releasing it, fulfilling it.

A reservation row holds ``quantity`` units of one product in one warehouse; reserving moves
units into ``StockLevel.reserved``, releasing moves them back, fulfilling (shipping) takes
them out of both ``reserved`` and ``on_hand``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.database import Database
from models.inventory import Reservation, ReservationStatus, StockLevel
from subgraphs.common.errors import Conflict
from subgraphs.inventory.locking import lock_reference, locked_stock

__all__ = ["Allocation", "allocate", "fulfill", "release", "reserve"]

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
        rows = [
            Reservation(
                reference=reference,
                product_id=allocation.product_id,
                warehouse_id=allocation.warehouse_id,
                quantity=allocation.quantity,
                status=ReservationStatus.ACTIVE,
            )
            for allocation in allocations
        ]
        for allocation in allocations:
            await _take(session, allocation)
        session.add_all(rows)
        await session.commit()
    return rows


async def _settle(database: Database, reference: str, target: ReservationStatus) -> int:
    """Move the reference's ACTIVE reservations to ``target`` and give their units back
    (released) or out (fulfilled). Returns how many moved; 0 when none were active."""
    async with database.sessions() as session:
        await lock_reference(session, reference)
        active = list(
            await session.scalars(
                select(Reservation)
                .where(
                    Reservation.reference == reference,
                    Reservation.status == ReservationStatus.ACTIVE,
                )
                .order_by(Reservation.product_id, Reservation.warehouse_id)
            )
        )
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
        await session.commit()
    return len(active)


async def release(database: Database, reference: str) -> int:
    return await _settle(database, reference, ReservationStatus.RELEASED)


async def fulfill(database: Database, reference: str) -> int:
    return await _settle(database, reference, ReservationStatus.FULFILLED)
