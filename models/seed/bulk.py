"""Chunked bulk inserts with a progress bar, fast enough for millions of rows."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import DeclarativeBase
from tqdm import tqdm

from models.database import Database

__all__ = ["CHUNK_SIZE", "insert_rows", "sync_sequence"]

CHUNK_SIZE = 5_000


def _chunks(rows: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


async def insert_rows(
    database: Database,
    model: type[DeclarativeBase],
    rows: Iterable[dict[str, Any]],
    *,
    total: int | None = None,
    show_progress: bool = True,
) -> int:
    """Insert ``rows`` into ``model``'s table in chunks, a transaction per chunk.

    Returns the number of rows inserted."""
    inserted = 0
    with tqdm(
        total=total, desc=model.__tablename__, unit="rows", disable=not show_progress, leave=False
    ) as bar:
        for chunk in _chunks(rows, CHUNK_SIZE):
            async with database.engine.begin() as connection:
                await connection.execute(insert(model), chunk)
            inserted += len(chunk)
            bar.update(len(chunk))
    return inserted


async def sync_sequence(
    database: Database, model: type[DeclarativeBase], column: str = "id"
) -> None:
    """After inserting explicit ids, move PostgreSQL's sequence past them (SQLite needs nothing)."""
    if database.is_sqlite:
        return
    name = model.__tablename__
    async with database.engine.begin() as connection:
        await connection.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{name}', '{column}'), "
            f"COALESCE((SELECT MAX({column}) FROM {name}), 0) + 1, false)"
        )
