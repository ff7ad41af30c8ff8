"""Changing what a warehouse holds: receiving goods (delta > 0) and write-offs (delta < 0).

One statement either way, so concurrent adjustments and reservations cannot lose updates:
an upsert adds units (creating the level for a product new to the warehouse), a
conditional UPDATE removes them only while ``on_hand`` stays at or above ``reserved``.
``apply_adjustment`` runs in a caller's transaction (the API's, or an ERP adjustment's or a
store sale's consumer) and stages ``StockAdjusted`` with it.
"""

from __future__ import annotations

from sqlalchemy import Insert, Update, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from models.database import Database
from models.inventory import StockLevel, Warehouse
from subgraphs.common.errors import Conflict, NotFound
from subgraphs.inventory.outbox import stage_adjusted, stage_if_low

__all__ = ["adjust", "apply_adjustment", "warehouse_by_code"]


async def warehouse_by_code(database: Database, code: str) -> Warehouse | None:
    async with database.sessions() as session:
        row: Warehouse | None = await session.scalar(
            select(Warehouse).where(Warehouse.code == code)
        )
    return row


def _receive(product_id: int, warehouse_id: int, delta: int, dialect: str) -> Insert:
    insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
    statement = insert(StockLevel).values(
        product_id=product_id, warehouse_id=warehouse_id, on_hand=delta, reserved=0
    )
    return statement.on_conflict_do_update(
        index_elements=[StockLevel.product_id, StockLevel.warehouse_id],
        set_={"on_hand": StockLevel.on_hand + delta},
    )


async def apply_adjustment(
    session: AsyncSession,
    warehouse: Warehouse,
    product_id: int,
    delta: int,
    cause: str,
    reference: str | None = None,
) -> StockLevel:
    """Adjust in ``session``'s transaction and stage ``StockAdjusted`` (and ``StockLow``);
    CONFLICT when units would fall below what is reserved."""
    statement: Insert | Update
    if delta > 0:
        statement = _receive(product_id, warehouse.id, delta, session.get_bind().dialect.name)
    else:
        statement = (
            update(StockLevel)
            .where(
                StockLevel.product_id == product_id,
                StockLevel.warehouse_id == warehouse.id,
                StockLevel.on_hand + delta >= StockLevel.reserved,
            )
            .values(on_hand=StockLevel.on_hand + delta)
        )
    row = await session.scalar(
        statement.returning(StockLevel).execution_options(populate_existing=True)
    )
    if row is None:
        raise Conflict(
            f"Cannot remove {-delta} units of product {product_id} from {warehouse.code}: "
            "stock would fall below what is reserved",
            productId=str(product_id),
            warehouseCode=warehouse.code,
        )
    stage_adjusted(session, row, warehouse.code, delta, cause, reference)
    if delta < 0:
        await stage_if_low(session, {product_id: -delta})
    return row


async def adjust(
    database: Database, product_id: int, warehouse_code: str, delta: int
) -> StockLevel:
    warehouse = await warehouse_by_code(database, warehouse_code)
    if warehouse is None:
        raise NotFound(f"No warehouse with code {warehouse_code!r}", warehouseCode=warehouse_code)
    async with database.sessions() as session, session.begin():
        return await apply_adjustment(session, warehouse, product_id, delta, "API")
