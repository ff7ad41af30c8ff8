"""Batch functions of the inventory domain: one SQL statement per batch of keys."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, Table

from models.database import Database
from models.inventory import StockLevel, Warehouse
from subgraphs.common.batch import all_rows_per_key, count_per_key, one_per_key
from subgraphs.common.keyset import ChildPage, pages_per_parent

__all__ = [
    "StockLevelRow",
    "stock_by_product",
    "stock_counts",
    "stock_pages",
    "warehouses_by_id",
]

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


async def stock_pages(database: Database, pages: Sequence[ChildPage]) -> list[list[Row[Any]]]:
    """A page of each warehouse's stock by product id: one windowed statement for every
    warehouse asking the same page (listing every warehouse with its stock costs one)."""
    table: Table = StockLevel.__table__  # type: ignore[assignment]
    return await pages_per_parent(database, table, "warehouse_id", pages)


async def stock_counts(database: Database, warehouse_ids: Sequence[int]) -> list[int]:
    return await count_per_key(database, StockLevel, StockLevel.warehouse_id, warehouse_ids)
