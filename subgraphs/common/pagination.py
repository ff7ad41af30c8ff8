"""Cursor (keyset) pagination shared by every list that can grow without bound.

Cursors are opaque to clients (base64 of the sort key) and pages are fetched by key, never
by offset, so page N costs the same as page 1.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

import strawberry

from subgraphs.common.errors import BadUserInput

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "Connection",
    "Edge",
    "PageInfo",
    "build_connection",
    "check_page_size",
    "decode_cursor",
    "encode_cursor",
]

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100

NodeT = TypeVar("NodeT")
RowT = TypeVar("RowT")


@strawberry.federation.type(shareable=True)
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[NodeT]):
    cursor: str
    node: NodeT


@strawberry.type
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]]
    page_info: PageInfo

    @strawberry.field
    def nodes(self) -> list[NodeT]:
        return [edge.node for edge in self.edges]


def encode_cursor(key: int) -> str:
    return base64.urlsafe_b64encode(f"k:{key}".encode()).decode()


def decode_cursor(cursor: str | None) -> int | None:
    """The sort key inside ``cursor``; BAD_USER_INPUT when it was not made by us."""
    if cursor is None:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    prefix, _, key = text.partition(":")
    if prefix != "k" or not key.isascii() or not key.isdigit():
        raise BadUserInput(f"Invalid cursor: {cursor!r}", argument="after")
    return int(key)


def check_page_size(first: int) -> int:
    if not 0 <= first <= MAX_PAGE_SIZE:
        raise BadUserInput(
            f"`first` must be between 0 and {MAX_PAGE_SIZE}, got {first}", argument="first"
        )
    return first


def build_connection(
    rows: Sequence[RowT], first: int, key: Callable[[RowT], int], node: Callable[[RowT], NodeT]
) -> Connection[NodeT]:
    """A page from ``rows`` fetched with ``first + 1`` as limit (the extra row means "more")."""
    page = rows[:first]
    edges = [Edge(cursor=encode_cursor(key(row)), node=node(row)) for row in page]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(rows) > first, end_cursor=edges[-1].cursor if edges else None
        ),
    )
