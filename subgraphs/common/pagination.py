"""Relay connections shared by every list that can grow without bound.

Every connection takes ``first``/``after`` (forward) and ``last``/``before`` (backward), answers
``edges``, ``nodes``, a ``pageInfo`` with all four fields and a ``totalCount`` that is counted
only when selected. Lists a user sorts take ``orderBy: {field: ..., direction: ASC|DESC}``.
Pages are fetched by key (see :mod:`subgraphs.common.keyset`); cursors are bound to their
connection and order (see :mod:`subgraphs.common.cursors`).

``hasPreviousPage`` of a forward page (and ``hasNextPage`` of a backward one) is what the
Relay spec lets a server answer cheaply: true when the page starts from a cursor, whose own
element lies on that side, false otherwise.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Annotated, Any, Generic, Protocol, TypeVar

import strawberry
from sqlalchemy import ColumnElement, Select
from strawberry.federation.schema_directives import Cost, ListSize

from models.database import Database
from subgraphs.common.cursors import decode_cursor, encode_cursor
from subgraphs.common.errors import BadUserInput
from subgraphs.common.keyset import Page, Sort, bounded, count_of

__all__ = [
    "CONNECTION_DIRECTIVES",
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "After",
    "Before",
    "Connection",
    "Counter",
    "Edge",
    "First",
    "Last",
    "OrderBy",
    "PageInfo",
    "SortDirection",
    "build_connection",
    "list_connection",
    "page_request",
    "requested_sort",
    "sort_by",
]

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100

# The router's demand control (router.demand_control) sizes a page by `first` or `last`,
# DEFAULT_PAGE_SIZE when neither is given; the size applies to `edges` and `nodes`.
CONNECTION_DIRECTIVES = (
    ListSize(
        assumed_size=DEFAULT_PAGE_SIZE,
        slicing_arguments=["first", "last"],
        sized_fields=["edges", "nodes"],
        require_one_slicing_argument=False,
    ),
)

NodeT = TypeVar("NodeT")
RowT = TypeVar("RowT")

# Counts the connection's items (all pages); awaited only when ``totalCount`` is selected.
Counter = Callable[[], Awaitable[int]]

First = Annotated[
    int | None,
    strawberry.argument(
        description=f"Forward: at most this many items (0 to {MAX_PAGE_SIZE}) after `after`; "
        f"{DEFAULT_PAGE_SIZE} when neither `first` nor `last` is given."
    ),
]
After = Annotated[
    str | None, strawberry.argument(description="Items after this cursor (`endCursor`).")
]
Last = Annotated[
    int | None,
    strawberry.argument(
        description=f"Backward: at most this many items (0 to {MAX_PAGE_SIZE}) before `before`."
    ),
]
Before = Annotated[
    str | None, strawberry.argument(description="Items before this cursor (`startCursor`).")
]


@strawberry.enum(description="The direction of an `orderBy`.")
class SortDirection(enum.Enum):
    ASC = "ASC"
    DESC = "DESC"


@strawberry.federation.type(shareable=True)
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[NodeT]):
    cursor: str
    node: NodeT


@strawberry.type
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]]
    page_info: PageInfo
    counter: strawberry.Private[Counter]

    @strawberry.field
    def nodes(self) -> list[NodeT]:
        return [edge.node for edge in self.edges]

    @strawberry.field(
        description="How many items the whole list has (every page, after filters). "
        "Counted only when selected: one more SQL statement.",
        directives=[Cost(weight=5)],
    )
    async def total_count(self) -> int:
        return await self.counter()


def _size(value: int, argument: str) -> int:
    if not 0 <= value <= MAX_PAGE_SIZE:
        raise BadUserInput(
            f"`{argument}` must be between 0 and {MAX_PAGE_SIZE}, got {value}", argument=argument
        )
    return value


def page_request(
    scope: str,
    sort: Sort,
    *,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> Page:
    """The page the arguments ask for in the list ``scope`` ordered by ``sort``."""
    if first is not None and last is not None:
        raise BadUserInput("Give `first` or `last`, not both", argument="last")
    backward = last is not None
    size = last if last is not None else DEFAULT_PAGE_SIZE if first is None else first
    return Page(
        size=_size(size, "last" if backward else "first"),
        backward=backward,
        after=None if after is None else decode_cursor(after, scope, sort, "after"),
        before=None if before is None else decode_cursor(before, scope, sort, "before"),
    )


def build_connection(
    rows: Sequence[RowT],
    page: Page,
    scope: str,
    sort: Sort,
    node: Callable[[RowT], NodeT],
    counter: Counter,
) -> Connection[NodeT]:
    """The connection of ``rows`` as fetched for ``page`` (up to ``size + 1`` rows in the
    order read, i.e. reversed for a backward page: the extra row means "more")."""
    more = len(rows) > page.size
    chosen = list(rows[: page.size])
    if page.backward:
        chosen.reverse()
    edges = [
        Edge(cursor=encode_cursor(scope, sort, sort.key(row)), node=node(row)) for row in chosen
    ]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.before is not None if page.backward else more,
            has_previous_page=more if page.backward else page.after is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        counter=counter,
    )


def sort_by(
    field: enum.Enum, direction: SortDirection, columns: tuple[ColumnElement[Any], ...]
) -> Sort:
    """The sort an ``orderBy: {field, direction}`` names: by ``columns`` (ending with a
    unique one, the tie-break)."""
    return Sort(f"{field.name}_{direction.name}", columns, direction is SortDirection.DESC)


class OrderBy(Protocol):
    """An ``orderBy`` input of a domain: ``{field, direction}``."""

    @property
    def field(self) -> enum.Enum: ...

    @property
    def direction(self) -> SortDirection: ...


def requested_sort(
    order_by: OrderBy | None,
    default: tuple[enum.Enum, SortDirection],
    columns: Mapping[Any, tuple[ColumnElement[Any], ...]],
) -> Sort:
    """The sort ``orderBy`` names (``default`` when it is not given), by the field's
    ``columns``."""
    field, direction = default if order_by is None else (order_by.field, order_by.direction)
    return sort_by(field, direction, columns[field])


async def list_connection(
    database: Database,
    statement: Select[Any],
    scope: str,
    sort: Sort,
    page: Page,
    node: Callable[[Any], NodeT],
) -> Connection[NodeT]:
    """A page of the ORM entities ``statement`` (filtered, unordered) selects."""
    async with database.reads() as session:
        rows = list(await session.scalars(bounded(statement, sort, page)))

    async def count() -> int:
        async with database.reads() as session:
            return int(await session.scalar(count_of(statement)) or 0)

    return build_connection(rows, page, scope, sort, node, count)
