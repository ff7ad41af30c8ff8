"""Batch functions of the products domain: one SQL statement per batch of keys."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row

from models.database import Database
from models.products import Product
from subgraphs.common.batch import one_row_per_key

__all__ = ["products_by_id", "products_by_sku"]


async def products_by_id(database: Database, ids: Sequence[int]) -> list[Row[Any] | None]:
    """Rows of the ``products`` columns (see :func:`one_row_per_key`)."""
    return await one_row_per_key(database, Product, Product.id, ids)


async def products_by_sku(database: Database, skus: Sequence[str]) -> list[Row[Any] | None]:
    return await one_row_per_key(database, Product, Product.sku, skus)
