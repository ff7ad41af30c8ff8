"""The shapes of batch load every domain needs: one row per key (entities by id or by sku)
and all rows per key (an entity's children). One SQL statement per batch either way.

``one_per_key`` and ``all_per_key`` return ORM objects. The ``*_rows_*`` variants return
plain rows of the model's table columns (attribute names equal column names in our
models) from a Core statement on a connection: no session, identity map or instance
state, and the statement is built once per shape. On PostgreSQL the keys travel as one
array (``= ANY(:keys)``): one prepared statement whatever the batch size, and nothing to
render per key; elsewhere as an expanding ``IN``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Row, Select, Table, any_, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import DeclarativeBase, InstrumentedAttribute

from models.database import Database

__all__ = [
    "all_per_key",
    "all_rows_per_key",
    "count_per_key",
    "key_in",
    "one_per_key",
    "one_row_per_key",
]

ModelT = TypeVar("ModelT", bound=DeclarativeBase)
KeyT = TypeVar("KeyT", bound=Hashable)


async def one_per_key(
    database: Database,
    model: type[ModelT],
    column: InstrumentedAttribute[Any],
    keys: Sequence[KeyT],
) -> list[ModelT | None]:
    """The row whose ``column`` equals each key (``None`` where there is none), in key order."""
    async with database.reads() as session:
        rows = await session.scalars(select(model).where(column.in_(set(keys))))
        by_key = {getattr(row, column.key): row for row in rows}
    return [by_key.get(key) for key in keys]


async def all_per_key(
    database: Database,
    model: type[ModelT],
    column: InstrumentedAttribute[Any],
    keys: Sequence[KeyT],
    *order_by: InstrumentedAttribute[Any],
) -> list[list[ModelT]]:
    """Every row whose ``column`` equals each key, in ``order_by`` order, in key order."""
    async with database.reads() as session:
        rows = await session.scalars(
            select(model).where(column.in_(set(keys))).order_by(column, *order_by)
        )
        grouped: dict[Any, list[ModelT]] = defaultdict(list)
        for row in rows:
            grouped[getattr(row, column.key)].append(row)
    return [grouped.get(key, []) for key in keys]


def key_in(column: ColumnElement[Any], name: str, dialect: str) -> ColumnElement[bool]:
    """``column`` is one of the keys in parameter ``name`` (a list): ``= ANY`` of one array
    on PostgreSQL, an expanding ``IN`` elsewhere."""
    if dialect == "postgresql":
        return column == any_(bindparam(name, type_=ARRAY(column.type)))
    return column.in_(bindparam(name, expanding=True))


@cache
def _rows_where_in(
    table: Table, key: str, dialect: str, order_by: tuple[str, ...] = ()
) -> Select[Any]:
    """``SELECT <every column> WHERE key IN (:keys) ORDER BY ...``, built once per shape."""
    columns = table.c
    statement = select(*columns).where(key_in(columns[key], "keys", dialect))
    return statement.order_by(*(columns[name] for name in order_by)) if order_by else statement


def _table(model: type[DeclarativeBase]) -> Table:
    table: Table = model.__table__  # type: ignore[assignment]
    return table


async def one_row_per_key(
    database: Database,
    model: type[DeclarativeBase],
    column: InstrumentedAttribute[Any],
    keys: Sequence[KeyT],
) -> list[Row[Any] | None]:
    """Like :func:`one_per_key`, as rows of the model's columns."""
    engine = database.read_engine
    statement = _rows_where_in(_table(model), column.key, engine.dialect.name)
    async with engine.connect() as connection:
        rows = await connection.execute(statement, {"keys": list(set(keys))})
        by_key = {getattr(row, column.key): row for row in rows}
    return [by_key.get(key) for key in keys]


async def all_rows_per_key(
    database: Database,
    model: type[DeclarativeBase],
    column: InstrumentedAttribute[Any],
    keys: Sequence[KeyT],
    *order_by: InstrumentedAttribute[Any],
) -> list[list[Row[Any]]]:
    """Like :func:`all_per_key`, as rows of the model's columns."""
    engine = database.read_engine
    order = (column.key, *(attribute.key for attribute in order_by))
    statement = _rows_where_in(_table(model), column.key, engine.dialect.name, order)
    async with engine.connect() as connection:
        rows = await connection.execute(statement, {"keys": list(set(keys))})
        grouped: dict[Any, list[Row[Any]]] = defaultdict(list)
        for row in rows:
            grouped[getattr(row, column.key)].append(row)
    return [grouped.get(key, []) for key in keys]


async def count_per_key(
    database: Database,
    model: type[DeclarativeBase],
    column: InstrumentedAttribute[Any],
    keys: Sequence[KeyT],
) -> list[int]:
    """How many rows have ``column`` equal to each key (0 where none): one GROUP BY."""
    engine = database.read_engine
    table_column = _table(model).c[column.key]
    statement = (
        select(table_column, func.count())
        .where(key_in(table_column, "keys", engine.dialect.name))
        .group_by(table_column)
    )
    async with engine.connect() as connection:
        rows = await connection.execute(statement, {"keys": list(set(keys))})
        counts = {row[0]: int(row[1]) for row in rows}
    return [counts.get(key, 0) for key in keys]
