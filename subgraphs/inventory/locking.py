"""Serialising the writes that must not interleave (reservations of one reference, stock
of one product).

PostgreSQL: a transaction-scoped advisory lock per reference, then ``SELECT ... FOR UPDATE``
on the stock rows in (product, warehouse) order, so concurrent reservations of the same
product queue up instead of overselling, and never deadlock. SQLite: ``BEGIN IMMEDIATE``
takes the database's single write lock up front (waiting up to ``busy_timeout``), so the
reads that decide an allocation are never stale.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from models.inventory import StockLevel

__all__ = ["lock_reference", "locked_stock"]


async def lock_reference(session: AsyncSession, reference: str) -> None:
    """Begin the session's transaction holding the lock for ``reference``; call it first."""
    if session.get_bind().dialect.name == "sqlite":
        await session.execute(text("BEGIN IMMEDIATE"))
    else:
        await session.execute(select(func.pg_advisory_xact_lock(func.hashtext(reference))))


async def locked_stock(session: AsyncSession, product_ids: Collection[int]) -> list[StockLevel]:
    """The stock rows of ``product_ids``, locked until the transaction ends."""
    rows = await session.scalars(
        select(StockLevel)
        .where(StockLevel.product_id.in_(product_ids))
        .order_by(StockLevel.product_id, StockLevel.warehouse_id)
        .with_for_update()
    )
    return list(rows)
