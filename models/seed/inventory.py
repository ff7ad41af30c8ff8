"""Seed the inventory domain: the warehouses, and stock for every product in every warehouse.

Quantities come from a per-(product, warehouse) RNG, like ``generate`` does per row, so they
are the same whichever order the rows are produced in. They are generous (most levels hold
hundreds of units) so that demo orders rarely run short, with a few empty shelves so that
out-of-stock paths show up in the demo too.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

from models.database import Database
from models.inventory import StockLevel, Warehouse
from models.seed import generate
from models.seed.bulk import insert_rows, sync_sequence

__all__ = ["EMPTY_SHELF_RATE", "WAREHOUSES", "seed", "stock_quantity", "warehouse_rows"]

# (code, name, region) of the first warehouses; more are numbered.
WAREHOUSES = (
    ("SH-01", "Shanghai Pudong DC", "east"),
    ("SZ-01", "Shenzhen Bao'an DC", "south"),
    ("CD-01", "Chengdu Shuangliu DC", "west"),
    ("BJ-01", "Beijing Daxing DC", "north"),
    ("SG-01", "Singapore Tuas DC", "sea"),
)
EMPTY_SHELF_RATE = 0.05


def warehouse_rows(scale: generate.Scale) -> list[dict[str, Any]]:
    rows = []
    for id_ in range(1, scale.warehouses + 1):
        code, name, region = (
            WAREHOUSES[id_ - 1]
            if id_ <= len(WAREHOUSES)
            else (f"WH-{id_:03d}", f"Warehouse {id_}", "other")
        )
        rows.append({"id": id_, "code": code, "name": name, "region": region})
    return rows


def stock_quantity(scale: generate.Scale, product_id: int, warehouse_id: int) -> int:
    rng = random.Random(f"{scale.seed}:stock:{product_id}:{warehouse_id}")
    if rng.random() < EMPTY_SHELF_RATE:
        return 0
    return rng.randint(100, 2_000)


def _stock_rows(scale: generate.Scale) -> Iterator[dict[str, Any]]:
    for product_id in range(1, scale.product_count + 1):
        for warehouse_id in range(1, scale.warehouses + 1):
            yield {
                "product_id": product_id,
                "warehouse_id": warehouse_id,
                "on_hand": stock_quantity(scale, product_id, warehouse_id),
                "reserved": 0,
            }


async def seed(database: Database, scale: generate.Scale, *, show_progress: bool = True) -> None:
    await insert_rows(database, Warehouse, warehouse_rows(scale), show_progress=show_progress)
    await insert_rows(
        database,
        StockLevel,
        _stock_rows(scale),
        total=scale.product_count * scale.warehouses,
        show_progress=show_progress,
    )
    await sync_sequence(database, Warehouse)
