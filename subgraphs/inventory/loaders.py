"""Batch functions of the inventory domain: one SQL statement per batch of keys."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.orm import aliased

from models.database import Database
from models.inventory import StockLevel, Warehouse
from subgraphs.common.batch import all_rows_per_key, one_per_key

__all__ = ["PageKey", "StockLevelRow", "stock_by_product", "stock_pages", "warehouses_by_id"]

# (warehouse id, product id the page starts after, rows to fetch)
PageKey = tuple[int, int | None, int]

# A stock level as the ORM object or as a row of its columns (same attribute names).
StockLevelRow = StockLevel | Row[Any]


async def stock_by_product(database: Database, ids: Sequence[int]) -> list[list[Row[Any]]]:
    """Each product's stock levels as rows of the ``stock_levels`` columns, by warehouse id
    (empty when the product has none)."""
    return await all_rows_per_key(
        database, StockLevel, StockLevel.product_id, ids, StockLevel.warehouse_id
    )


async def warehouses_by_id(database: Database, ids: Sequence[int]) -> list[Warehouse | None]:
    return await one_per_key(database, Warehouse, Warehouse.id, ids)


async def stock_pages(database: Database, keys: Sequence[PageKey]) -> list[list[StockLevel]]:
    """A page of each warehouse's stock by product id: one windowed statement per distinct
    (after, limit), so listing every warehouse with its stock costs one statement."""
    pages: dict[PageKey, list[StockLevel]] = {}
    shapes = {(after, limit) for _, after, limit in keys}
    async with database.reads() as session:
        for after, limit in shapes:
            warehouse_ids = {key[0] for key in keys if key[1:] == (after, limit)}
            ranked = select(
                StockLevel,
                func.row_number()
                .over(partition_by=StockLevel.warehouse_id, order_by=StockLevel.product_id)
                .label("position"),
            ).where(StockLevel.warehouse_id.in_(warehouse_ids))
            if after is not None:
                ranked = ranked.where(StockLevel.product_id > after)
            subquery = ranked.subquery()
            level = aliased(StockLevel, subquery)
            rows = await session.scalars(
                select(level)
                .where(subquery.c.position <= limit)
                .order_by(level.warehouse_id, level.product_id)
            )
            for warehouse_id in warehouse_ids:
                pages[(warehouse_id, after, limit)] = []
            for row in rows:
                pages[(row.warehouse_id, after, limit)].append(row)
    return [pages[key] for key in keys]
