"""Batch functions of the orders domain: one SQL statement per batch of keys.

``orders_of_customers`` pages many customers' orders in ONE statement with a
``ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY <the sort>)`` window (portable to
SQLite and PostgreSQL; see :func:`subgraphs.common.keyset.windowed`), in either direction and
any ``orderBy``, so ``Customer.orders`` costs the same for 5 customers as for 50.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, Table

from models.database import Database
from models.orders import Order, OrderLine
from subgraphs.common.batch import all_rows_per_key, count_per_key, one_row_per_key
from subgraphs.common.keyset import ChildPage, pages_per_parent

__all__ = ["lines_by_order", "order_counts", "orders_by_id", "orders_of_customers"]


async def orders_by_id(database: Database, ids: Sequence[int]) -> list[Row[Any] | None]:
    """Rows of the ``orders`` columns (see :func:`one_row_per_key`)."""
    return await one_row_per_key(database, Order, Order.id, ids)


async def lines_by_order(database: Database, ids: Sequence[int]) -> list[list[Row[Any]]]:
    """Rows of the ``order_lines`` columns, by line id."""
    return await all_rows_per_key(database, OrderLine, OrderLine.order_id, ids, OrderLine.id)


async def orders_of_customers(
    database: Database, pages: Sequence[ChildPage]
) -> list[list[Row[Any]]]:
    """Each customer's page (rows of the ``orders`` columns, ``size + 1`` at most)."""
    return await pages_per_parent(database, _table(), "customer_id", pages)


async def order_counts(database: Database, customer_ids: Sequence[int]) -> list[int]:
    """How many orders each customer has (``Customer.orders.totalCount``)."""
    return await count_per_key(database, Order, Order.customer_id, customer_ids)


def _table() -> Table:
    table: Table = Order.__table__  # type: ignore[assignment]
    return table
