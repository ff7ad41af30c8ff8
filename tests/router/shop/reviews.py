"""The reviews subgraph: ratings of books and movies, author followers, a mutation log."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.federation import Schema

__all__ = ["MUTATION_LOG", "reset", "schema"]

_RATINGS = {"b1": 5, "b2": 4, "m1": 3}
_FOLLOWERS = {"herbert": 1200, "austen": 5400}
MUTATION_LOG: list[str] = []


def reset() -> None:
    MUTATION_LOG.clear()


@strawberry.federation.type(keys=["id"])
class Book:
    id: strawberry.ID

    @strawberry.field
    def rating(self) -> int | None:
        return _RATINGS.get(self.id)

    @classmethod
    def resolve_reference(cls, **representation: Any) -> Book:
        return cls(id=representation["id"])


@strawberry.federation.type(keys=["id"])
class Movie:
    id: strawberry.ID

    @strawberry.field
    def rating(self) -> int:
        if self.id not in _RATINGS:
            raise ValueError(f"no rating for movie {self.id}")
        return _RATINGS[self.id]

    @classmethod
    def resolve_reference(cls, **representation: Any) -> Movie:
        return cls(id=representation["id"])


@strawberry.federation.type(keys=["handle"])
class Author:
    handle: str
    name: str = strawberry.federation.field(shareable=True)

    @strawberry.field
    def followers(self) -> int:
        return _FOLLOWERS.get(self.handle, 0)

    @classmethod
    def resolve_reference(cls, **representation: Any) -> Author:
        handle = representation["handle"]
        return cls(handle=handle, name={"herbert": "Frank Herbert"}.get(handle, "?"))


@strawberry.type
class Query:
    @strawberry.field
    def top_author(self) -> Author | None:
        return Author(handle="austen", name="Jane Austen")


@strawberry.type
class Mutation:
    @strawberry.mutation
    def add_rating(self, id: strawberry.ID, rating: int) -> int:
        MUTATION_LOG.append(f"addRating {id}")
        _RATINGS[id] = rating
        return rating


schema = Schema(
    query=Query, mutation=Mutation, types=[Book, Movie, Author], federation_version="2.3"
)
