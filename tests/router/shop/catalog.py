"""The catalog subgraph: media (an interface over books and movies), authors, search."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry.federation import Schema

__all__ = ["TITLES", "Author", "Book", "Dimensions", "Movie", "reset", "schema"]

_INITIAL_TITLES = {"b1": "Dune", "b2": "Emma", "m1": "Alien", "m2": "Heat"}
TITLES: dict[str, str] = dict(_INITIAL_TITLES)
_PAGES = {"b1": 412, "b2": 474}
_MINUTES = {"m1": 117, "m2": 170}
_AUTHORS = {"a1": ("herbert", "Frank Herbert"), "a2": ("austen", "Jane Austen")}


def reset() -> None:
    TITLES.clear()
    TITLES.update(_INITIAL_TITLES)


@strawberry.interface
class Media:
    id: strawberry.ID

    @strawberry.field
    def title(self) -> str:
        return TITLES[self.id]


@strawberry.federation.type(shareable=True)
class Dimensions:
    width: int
    height: int


_DIMENSIONS = {"b1": Dimensions(width=14, height=21), "b2": Dimensions(width=13, height=20)}


@strawberry.federation.type(keys=["id"])
class Book(Media):
    pages: int | None = None
    stock: int | None = strawberry.federation.field(default=0)

    @strawberry.field
    def dimensions(self) -> Dimensions | None:
        return _DIMENSIONS.get(self.id)

    @classmethod
    def resolve_reference(cls, **representation: Any) -> Book:
        return _book(representation["id"])


@strawberry.federation.type(keys=["id"])
class Movie(Media):
    minutes: int | None = None

    @classmethod
    def resolve_reference(cls, **representation: Any) -> Movie:
        return Movie(id=representation["id"], minutes=_MINUTES.get(representation["id"]))


@strawberry.federation.type(keys=["id", "handle"])
class Author:
    id: strawberry.ID
    handle: str
    name: str = strawberry.federation.field(shareable=True)

    @classmethod
    def resolve_reference(cls, **representation: Any) -> Author | None:
        for author_id, (handle, name) in _AUTHORS.items():
            if representation.get("id") == author_id or representation.get("handle") == handle:
                return Author(id=strawberry.ID(author_id), handle=handle, name=name)
        return None


def _book(book_id: str) -> Book:
    return Book(id=strawberry.ID(book_id), pages=_PAGES.get(book_id))


def _media() -> list[Media]:
    return [_book("b1"), _book("b2"), Movie(id=strawberry.ID("m1"), minutes=117)]


SearchResult = Annotated[Book | Movie | Author, strawberry.union("SearchResult")]


@strawberry.type
class Query:
    @strawberry.field
    def media(self) -> list[Media]:
        return _media()

    @strawberry.field
    def search(self, term: str) -> list[SearchResult]:
        found: list[Book | Movie | Author] = [
            m
            for m in (_book("b1"), _book("b2"), Movie(id=strawberry.ID("m2"), minutes=170))
            if term.lower() in TITLES[m.id].lower() or term == "*"
        ]
        if term == "*":
            found.append(Author(id=strawberry.ID("a1"), handle="herbert", name="Frank Herbert"))
        return found

    @strawberry.field
    def author(self, id: strawberry.ID) -> Author | None:
        return Author.resolve_reference(id=id)


@strawberry.type
class Mutation:
    @strawberry.mutation
    def rename(self, id: strawberry.ID, title: str) -> Media | None:
        if id not in TITLES:
            return None
        TITLES[id] = title
        return _book(id) if id.startswith("b") else Movie(id=id, minutes=_MINUTES.get(id))


schema = Schema(
    query=Query, mutation=Mutation, types=[Book, Movie, Author], federation_version="2.3"
)
