"""The inventory subgraph: takes ``Book.stock`` over from catalog, and a ``@requires`` field."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.federation import Schema

__all__ = ["schema"]

_STOCK = {"b1": 7, "b2": 0}


@strawberry.federation.type(shareable=True)
class Dimensions:
    width: int
    height: int


@strawberry.federation.type(keys=["id"])
class Book:
    id: strawberry.ID
    pages: int | None = strawberry.federation.field(external=True, default=None)
    dimensions: Dimensions | None = strawberry.federation.field(external=True, default=None)
    stock: int | None = strawberry.federation.field(override="catalog", default=None)

    @strawberry.federation.field(requires=["pages"])
    def shelf_width(self) -> int | None:
        return None if self.pages is None else self.pages // 10

    @strawberry.federation.field(requires=["dimensions { width height }"])
    def cover_area(self) -> int | None:
        size = self.dimensions
        return None if size is None else size.width * size.height

    @classmethod
    def resolve_reference(cls, **representation: Any) -> Book:
        book_id = representation["id"]
        size = representation.get("dimensions")
        return cls(
            id=book_id,
            pages=representation.get("pages"),
            dimensions=None if size is None else Dimensions(**size),
            stock=_STOCK.get(book_id),
        )


@strawberry.type
class Query:
    @strawberry.field
    def book_count(self) -> int:
        return len(_STOCK)


schema = Schema(query=Query, types=[Book], federation_version="2.3")
