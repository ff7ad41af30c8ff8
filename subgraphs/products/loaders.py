"""Batch functions of the products domain: one SQL statement per batch of keys."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from models.database import Database
from models.products import Product

__all__ = ["products_by_id", "products_by_sku"]


async def products_by_id(database: Database, ids: Sequence[int]) -> list[Product | None]:
    async with database.sessions() as session:
        rows = await session.scalars(select(Product).where(Product.id.in_(set(ids))))
        by_id = {row.id: row for row in rows}
    return [by_id.get(id_) for id_ in ids]


async def products_by_sku(database: Database, skus: Sequence[str]) -> list[Product | None]:
    async with database.sessions() as session:
        rows = await session.scalars(select(Product).where(Product.sku.in_(set(skus))))
        by_sku = {row.sku: row for row in rows}
    return [by_sku.get(sku) for sku in skus]
