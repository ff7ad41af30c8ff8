"""The two shapes of batch load every domain needs: one row per key (entities by id or by
sku) and all rows per key (an entity's children). One SQL statement per batch either way."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import DeclarativeBase, InstrumentedAttribute

from models.database import Database

__all__ = ["all_per_key", "one_per_key"]

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
