"""Seed the orders domain from ``generate.orders``: orders with explicit ids (so their lines
can point at them) and their lines, generated lazily and inserted in chunks.

Seeded orders are history: they carry no idempotency key (no stock was reserved for them)
and no outbox event (marketing's seeder derives its facts from the same generator).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from models.database import Database
from models.orders import Order, OrderLine
from models.seed import generate
from models.seed.bulk import insert_rows, sync_sequence

# Statistics right after the bulk load: without them PostgreSQL plans the per-customer
# lookups as sequential scans (and JIT-compiles them) until autovacuum gets round to it.

__all__ = ["seed"]


@functools.lru_cache(maxsize=65_536)
def _currency(scale: generate.Scale, product_id: int) -> str:
    return generate.product(scale, product_id).currency


def _order_rows(scale: generate.Scale) -> Iterator[dict[str, Any]]:
    for order in generate.orders(scale):
        yield {
            "id": order.id,
            "customer_id": order.customer_id,
            "status": order.status,
            "currency": _currency(scale, order.lines[0].product_id),
            "total_minor": order.total_minor,
            "idempotency_key": None,
            "created_at": order.created_at,
            "updated_at": order.created_at,
        }


def _line_rows(scale: generate.Scale) -> Iterator[dict[str, Any]]:
    for order in generate.orders(scale):
        for line in order.lines:
            yield {
                "order_id": order.id,
                "product_id": line.product_id,
                "quantity": line.quantity,
                "unit_price_minor": line.unit_price_minor,
                "currency": _currency(scale, order.lines[0].product_id),
            }


async def seed(database: Database, scale: generate.Scale, *, show_progress: bool = True) -> None:
    await insert_rows(
        database, Order, _order_rows(scale), total=scale.orders, show_progress=show_progress
    )
    await insert_rows(database, OrderLine, _line_rows(scale), show_progress=show_progress)
    await sync_sequence(database, Order)
    await sync_sequence(database, OrderLine)
