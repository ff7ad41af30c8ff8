"""Keyset (seek) pagination in SQL: an order of rows, bounds taken from cursors, and the page
statement, either for one list or for many parents' lists at once (a ``ROW_NUMBER()`` window
per parent, so N parents cost one statement).

Every order ends with a unique column (the id), so a key names exactly one position and a
page is fetched by key, never by offset: page N costs the same as page 1. A backward page
(``last``/``before``) runs the order reversed and is turned round in Python.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Row,
    Select,
    Table,
    bindparam,
    func,
    literal,
    select,
    tuple_,
)
from sqlalchemy.sql.elements import UnaryExpression

from models.database import Database
from subgraphs.common.batch import key_in

__all__ = [
    "ChildPage",
    "Key",
    "Page",
    "Sort",
    "bounded",
    "count_of",
    "pages_per_parent",
    "windowed",
]

# The values of a sort's columns for one row: a position in the order.
Key = tuple[Any, ...]


@dataclass(frozen=True, slots=True, eq=False)
class Sort:
    """Rows ordered by ``columns`` (of one table; the last one unique), all ascending or all
    descending. ``name`` is written into cursors: a cursor of another order is refused.
    Sorts are equal by name and direction (SQL columns do not compare as values)."""

    name: str
    columns: tuple[ColumnElement[Any], ...]
    descending: bool = False

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sort) and (self.name, self.descending) == (
            other.name,
            other.descending,
        )

    def __hash__(self) -> int:
        return hash((self.name, self.descending))

    def key(self, row: Any) -> Key:
        return tuple(getattr(row, _name(column)) for column in self.columns)


@dataclass(frozen=True, slots=True)
class Page:
    """One page as asked for: ``size`` rows after ``after`` and before ``before`` (keys of
    the sort), from the start of that range (``first``) or from its end (``last``)."""

    size: int
    backward: bool = False
    after: Key | None = None
    before: Key | None = None


def _name(column: ColumnElement[Any]) -> str:
    name = getattr(column, "key", None)
    if not isinstance(name, str):
        raise TypeError(f"a sort column needs a name: {column!r}")
    return name


def _beyond(columns: Sequence[ColumnElement[Any]], key: Key, greater: bool) -> ColumnElement[bool]:
    values = [literal(value, column.type) for column, value in zip(columns, key, strict=True)]
    if len(columns) == 1:
        return columns[0] > values[0] if greater else columns[0] < values[0]
    left, right = tuple_(*columns), tuple_(*values)
    return left > right if greater else left < right


def _conditions(
    columns: Sequence[ColumnElement[Any]], sort: Sort, page: Page
) -> list[ColumnElement[bool]]:
    """Rows strictly between the page's bounds, in the sort's direction."""
    conditions = []
    if page.after is not None:
        conditions.append(_beyond(columns, page.after, greater=not sort.descending))
    if page.before is not None:
        conditions.append(_beyond(columns, page.before, greater=sort.descending))
    return conditions


def _ordering(
    columns: Sequence[ColumnElement[Any]], sort: Sort, page: Page
) -> list[UnaryExpression[Any]]:
    """The sort's order, reversed for a backward page (which is read from its end)."""
    descending = sort.descending != page.backward
    return [column.desc() if descending else column.asc() for column in columns]


def bounded(statement: Select[Any], sort: Sort, page: Page) -> Select[Any]:
    """``statement`` limited to the page, plus one row that tells whether there are more."""
    return (
        statement.where(*_conditions(sort.columns, sort, page))
        .order_by(*_ordering(sort.columns, sort, page))
        .limit(page.size + 1)
    )


def count_of(statement: Select[Any]) -> Select[Any]:
    """How many rows ``statement`` (unbounded, filtered) selects."""
    return select(func.count()).select_from(statement.order_by(None).subquery())


def windowed(table: Table, parent: str, sort: Sort, page: Page, dialect: str) -> Select[Any]:
    """The page of every parent in parameter ``parent_ids`` (a list) in one statement: rows
    of ``table``'s columns, grouped by ``parent`` and in page order within a parent."""
    columns = [table.c[_name(column)] for column in sort.columns]
    rank = func.row_number().over(
        partition_by=table.c[parent], order_by=_ordering(columns, sort, page)
    )
    inner = (
        select(*table.columns, rank.label("page_rank"))
        .where(key_in(table.c[parent], "parent_ids", dialect))
        .where(*_conditions(columns, sort, page))
        .subquery()
    )
    return (
        select(*(inner.c[column.name] for column in table.columns))
        .where(inner.c.page_rank <= bindparam("limit", page.size + 1))
        .order_by(inner.c[parent], inner.c.page_rank)
    )


class ChildPage(NamedTuple):
    """Key of one parent's page (``Customer.orders``, ``Campaign.coupons``) in a batch."""

    parent_id: int
    sort: Sort
    page: Page


async def pages_per_parent(
    database: Database, table: Table, parent: str, keys: Sequence[ChildPage]
) -> list[list[Row[Any]]]:
    """Each key's rows (of ``table``'s columns, as :func:`windowed` reads them): one statement
    per distinct (sort, page), usually one for the whole batch."""
    shapes: dict[tuple[Sort, Page], set[int]] = defaultdict(set)
    for key in keys:
        shapes[(key.sort, key.page)].add(key.parent_id)
    found: dict[ChildPage, list[Row[Any]]] = defaultdict(list)
    engine = database.read_engine
    async with engine.connect() as connection:
        for (sort, page), parent_ids in shapes.items():
            statement = windowed(table, parent, sort, page, engine.dialect.name)
            for row in await connection.execute(statement, {"parent_ids": list(parent_ids)}):
                found[ChildPage(getattr(row, parent), sort, page)].append(row)
    return [found.get(key, []) for key in keys]
