"""Batch functions of the orders domain: one SQL statement per batch of keys.

``orders_of_customers`` pages many customers' orders in ONE statement with a
``ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY id DESC)`` window (portable to
SQLite and PostgreSQL), so ``Customer.orders`` costs the same for 5 customers as for 50.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import Row, Select, bindparam, func, select

from models.database import Database
from models.orders import Order, OrderLine
from subgraphs.common.batch import all_rows_per_key, key_in, one_row_per_key

__all__ = ["CustomerOrdersPage", "lines_by_order", "orders_by_id", "orders_of_customers"]


class CustomerOrdersPage(NamedTuple):
    """Key of one ``Customer.orders`` page: newest first, ``first + 1`` rows (to tell "more")."""

    customer_id: int
    first: int
    before_id: int | None


async def orders_by_id(database: Database, ids: Sequence[int]) -> list[Row[Any] | None]:
    """Rows of the ``orders`` columns (see :func:`one_row_per_key`)."""
    return await one_row_per_key(database, Order, Order.id, ids)


async def lines_by_order(database: Database, ids: Sequence[int]) -> list[list[Row[Any]]]:
    """Rows of the ``order_lines`` columns, by line id."""
    return await all_rows_per_key(database, OrderLine, OrderLine.order_id, ids, OrderLine.id)


async def orders_of_customers(
    database: Database, pages: Sequence[CustomerOrdersPage]
) -> list[list[Row[Any]]]:
    """Each page's rows (of the ``orders`` columns); one statement per distinct
    (first, before_id), usually one."""
    shapes: dict[tuple[int, int | None], set[int]] = defaultdict(set)
    for page in pages:
        shapes[(page.first, page.before_id)].add(page.customer_id)
    found: dict[CustomerOrdersPage, list[Row[Any]]] = defaultdict(list)
    engine = database.read_engine
    dialect = engine.dialect.name
    async with engine.connect() as connection:
        for (first, before_id), customer_ids in shapes.items():
            parameters = {"customer_ids": list(customer_ids), "limit": first + 1}
            if before_id is not None:
                parameters["before_id"] = before_id
            rows = await connection.execute(_ranked(before_id is not None, dialect), parameters)
            for row in rows:
                found[CustomerOrdersPage(row.customer_id, first, before_id)].append(row)
    return [found.get(page, []) for page in pages]


@cache
def _ranked(before_an_id: bool, dialect: str) -> Select[Any]:
    """The windowed page statement, built once per shape; parameters ``customer_ids``,
    ``limit`` and (when ``before_an_id``) ``before_id``."""
    rank = func.row_number().over(partition_by=Order.customer_id, order_by=Order.id.desc())
    inner = select(*Order.__table__.columns, rank.label("rank")).where(
        key_in(Order.__table__.c.customer_id, "customer_ids", dialect)
    )
    if before_an_id:
        inner = inner.where(Order.id < bindparam("before_id"))
    ranked = inner.subquery()
    return (
        select(*(ranked.c[column.name] for column in Order.__table__.columns))
        .where(ranked.c.rank <= bindparam("limit"))
        .order_by(ranked.c.customer_id, ranked.c.id.desc())
    )
