"""Batch functions of the orders domain: one SQL statement per batch of keys.

``orders_of_customers`` pages many customers' orders in ONE statement with a
``ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY id DESC)`` window (portable to
SQLite and PostgreSQL), so ``Customer.orders`` costs the same for 5 customers as for 50.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased

from models.database import Database
from models.orders import Order, OrderLine
from subgraphs.common.batch import all_per_key, one_per_key

__all__ = ["CustomerOrdersPage", "lines_by_order", "orders_by_id", "orders_of_customers"]


class CustomerOrdersPage(NamedTuple):
    """Key of one ``Customer.orders`` page: newest first, ``first + 1`` rows (to tell "more")."""

    customer_id: int
    first: int
    before_id: int | None


async def orders_by_id(database: Database, ids: Sequence[int]) -> list[Order | None]:
    return await one_per_key(database, Order, Order.id, ids)


async def lines_by_order(database: Database, ids: Sequence[int]) -> list[list[OrderLine]]:
    return await all_per_key(database, OrderLine, OrderLine.order_id, ids, OrderLine.id)


async def orders_of_customers(
    database: Database, pages: Sequence[CustomerOrdersPage]
) -> list[list[Order]]:
    """Each page's rows; one statement per distinct (first, before_id), usually one."""
    shapes: dict[tuple[int, int | None], set[int]] = defaultdict(set)
    for page in pages:
        shapes[(page.first, page.before_id)].add(page.customer_id)
    found: dict[CustomerOrdersPage, list[Order]] = defaultdict(list)
    async with database.reads() as session:
        for (first, before_id), customer_ids in shapes.items():
            for row in await session.scalars(_ranked(customer_ids, first + 1, before_id)):
                found[CustomerOrdersPage(row.customer_id, first, before_id)].append(row)
    return [found.get(page, []) for page in pages]


def _ranked(customer_ids: set[int], limit: int, before_id: int | None) -> Select[Order]:
    rank = func.row_number().over(partition_by=Order.customer_id, order_by=Order.id.desc())
    inner = select(Order, rank.label("rank")).where(Order.customer_id.in_(customer_ids))
    if before_id is not None:
        inner = inner.where(Order.id < before_id)
    ranked = inner.subquery()
    order = aliased(Order, ranked)
    return (
        select(order)
        .where(ranked.c.rank <= limit)
        .order_by(ranked.c.customer_id, ranked.c.id.desc())
    )
