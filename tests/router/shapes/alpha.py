"""The alpha subgraph: most of each shape (the interface Item, the union Result with Movie,
User.id non-null, Product with its name)."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry.federation import Schema

__all__ = ["schema"]


@strawberry.federation.type(shareable=True)
class Config:
    a: int | None


@strawberry.federation.type(shareable=True)
class Details:
    size: int | None


_SIZES = {"p1": 3, "p2": 5}
_NAMES = {"p1": "Lamp", "p2": "Desk"}


@strawberry.federation.type(keys=["id"])
class Product:
    id: strawberry.ID
    sku: str | None = strawberry.federation.field(shareable=True)

    @strawberry.field
    def name(self) -> str | None:
        return _NAMES.get(self.id)

    @strawberry.federation.field(shareable=True)
    def details(self) -> Details | None:
        return Details(size=_SIZES.get(self.id))

    @classmethod
    def resolve_reference(cls, **representation: Any) -> Product:
        return Product(id=representation["id"], sku=f"SKU-{representation['id']}")


@strawberry.interface
class Item:
    id: strawberry.ID


@strawberry.federation.type(shareable=True)
class Book(Item):
    title: str | None


@strawberry.federation.type(shareable=True)
class Movie(Item):
    minutes: int | None


Result = Annotated[Book | Movie, strawberry.union("Result")]


@strawberry.interface
class Node:
    id: strawberry.ID | None


@strawberry.federation.type(keys=["id"])
class User(Node):
    id: strawberry.ID
    name: str | None

    @classmethod
    def resolve_reference(cls, **representation: Any) -> User:
        return User(id=representation["id"], name=f"user {representation['id']}")


@strawberry.type
class Admin(Node):
    level: int | None


BOOKS = [Book(id=strawberry.ID("b1"), title="Dune"), Book(id=strawberry.ID("b2"), title="Emma")]


@strawberry.type
class Query:
    @strawberry.federation.field(shareable=True)
    def config(self) -> Config | None:
        return Config(a=1)

    @strawberry.field
    def products(self) -> list[Product | None] | None:
        return [Product(id=strawberry.ID(i), sku=f"SKU-{i}") for i in ("p1", "p2")]

    @strawberry.federation.field(shareable=True)
    def item(self) -> Item | None:
        return BOOKS[0]

    @strawberry.federation.field(shareable=True)
    def search(self) -> list[Result | None] | None:
        return list(BOOKS)

    @strawberry.federation.field(shareable=True)
    def greeting(self, name: str | None = None) -> str | None:
        return f"hello {name}"

    @strawberry.field
    def nodes(self) -> list[Node | None] | None:
        return [
            User(id=strawberry.ID("u1"), name="Ada"),
            Admin(id=strawberry.ID("a1"), level=7),
            Admin(id=None, level=1),
        ]


schema = Schema(query=Query, types=[Book, Movie, User, Admin], federation_version="2.3")
