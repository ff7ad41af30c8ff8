"""The beta subgraph: the rest of each shape (Config.b, Details.x, Query.item as the object
Book, a Result union without Movie, User.id nullable, Product.sku non-null)."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry.federation import Schema
from strawberry.federation.schema_directives import Key
from strawberry.federation.types import FieldSet

__all__ = ["schema"]


@strawberry.federation.type(shareable=True)
class Config:
    b: int | None


@strawberry.federation.type(shareable=True)
class Details:
    x: int | None


_X = {"p1": 30, "p2": 50}
_WEIGHTS = {"p1": 2, "p2": 40}


@strawberry.federation.type(keys=["id"])
class Product:
    id: strawberry.ID
    sku: str = strawberry.federation.field(shareable=True)

    @strawberry.federation.field(shareable=True)
    def details(self) -> Details | None:
        return Details(x=_X.get(self.id))

    @strawberry.field
    def weight(self) -> int | None:
        return _WEIGHTS.get(self.id)

    @classmethod
    def resolve_reference(cls, **representation: Any) -> Product:
        return Product(id=representation["id"], sku=f"SKU-{representation['id']}")


@strawberry.federation.type(shareable=True)
class Book:
    id: strawberry.ID
    title: str | None


@strawberry.federation.type(shareable=True)
class Movie:
    id: strawberry.ID
    minutes: int | None


Result = Annotated[Book, strawberry.union("Result")]


@strawberry.federation.type(keys=[Key(fields=FieldSet("id"), resolvable=False)])
class User:
    id: strawberry.ID | None


BOOKS = [Book(id=strawberry.ID("b1"), title="Dune"), Book(id=strawberry.ID("b2"), title="Emma")]


@strawberry.type
class Query:
    @strawberry.federation.field(shareable=True)
    def config(self) -> Config | None:
        return Config(b=2)

    @strawberry.federation.field(shareable=True)
    def item(self) -> Book | None:
        return BOOKS[0]

    @strawberry.field
    def featured(self) -> Movie | None:
        return Movie(id=strawberry.ID("m1"), minutes=117)

    @strawberry.federation.field(shareable=True)
    def search(self) -> list[Result | None] | None:
        return list(BOOKS)

    @strawberry.federation.field(shareable=True)
    def greeting(self, name: str) -> str | None:
        return f"hello {name}"

    @strawberry.field
    def top_book(self) -> Book | None:
        return BOOKS[1]


schema = Schema(query=Query, types=[Product, User], federation_version="2.3")
