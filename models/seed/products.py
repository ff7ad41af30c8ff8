"""Seed the products domain from ``generate.product``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from models.database import Database
from models.products import Product
from models.seed import generate
from models.seed.bulk import insert_rows, sync_sequence

__all__ = ["seed"]


def _product_rows(scale: generate.Scale) -> Iterator[dict[str, Any]]:
    for row in generate.products(scale):
        yield {
            "id": row.id,
            "sku": row.sku,
            "name": row.name,
            "description": row.description,
            "category": row.category,
            "price_minor": row.price_minor,
            "currency": row.currency,
            "weight_grams": row.weight_grams,
            "status": row.status,
            "listed_at": row.listed_at,
            "created_at": row.created_at,
        }


async def seed(database: Database, scale: generate.Scale, *, show_progress: bool = True) -> None:
    await insert_rows(
        database,
        Product,
        _product_rows(scale),
        total=scale.product_count,
        show_progress=show_progress,
    )
    await sync_sequence(database, Product)
