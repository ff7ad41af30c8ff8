"""Batch functions of the products domain: one SQL statement per batch of keys."""

from __future__ import annotations

from collections.abc import Sequence

from models.database import Database
from models.products import Product
from subgraphs.common.batch import one_per_key

__all__ = ["products_by_id", "products_by_sku"]


async def products_by_id(database: Database, ids: Sequence[int]) -> list[Product | None]:
    return await one_per_key(database, Product, Product.id, ids)


async def products_by_sku(database: Database, skus: Sequence[str]) -> list[Product | None]:
    return await one_per_key(database, Product, Product.sku, skus)
