"""The reviews subgraph of the test fleet: reviews, ``User.reviews`` and ``Product.reviews``.

Mirrors ``reviews`` in ``tools/peers/fixtures/fleet.mjs``. The service keeps its own
copy of usernames so that ``Review.author`` can ``@provides(fields: "username")``. ``User``
and ``Product`` are extensions without a reference resolver of their own: any reference
becomes an entity built from its key (so an unknown id has no reviews rather than being
null), exactly like ``@apollo/subgraph``'s default ``__resolveReference``. An unknown review
id resolves to null.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import strawberry
from strawberry.federation import Schema

__all__ = ["REVIEWS", "USERNAMES", "Product", "Review", "ReviewRecord", "User", "schema"]


class ReviewRecord(NamedTuple):
    id: str
    author_id: str
    product_upc: str
    body: str


REVIEWS: tuple[ReviewRecord, ...] = (
    ReviewRecord(id="1", author_id="1", product_upc="1", body="Love it!"),
    ReviewRecord(id="2", author_id="1", product_upc="2", body="Too expensive."),
    ReviewRecord(id="3", author_id="2", product_upc="3", body="Could be better."),
    ReviewRecord(id="4", author_id="2", product_upc="1", body="Prefer something else."),
)
USERNAMES: dict[str, str] = {"1": "@ada", "2": "@complete", "3": "@grace"}


def _username(root: User) -> str | None:
    """Like ``u.username ?? usernames.find(...)``: a username sent by the router wins."""
    if root.stored_username is not None:
        return root.stored_username
    return USERNAMES.get(root.id)


def _author(root: Review) -> User | None:
    return User(id=strawberry.ID(root.author_id), stored_username=USERNAMES.get(root.author_id))


@strawberry.federation.type(keys=["id"], extend=True)
class User:
    id: strawberry.ID
    stored_username: strawberry.Private[str | None] = None

    username: str | None = strawberry.federation.field(resolver=_username, external=True)

    @strawberry.field
    def reviews(self) -> list[Review | None] | None:
        return [_review(record) for record in REVIEWS if record.author_id == self.id]

    @classmethod
    def resolve_reference(cls, **representation: Any) -> User:
        return cls(id=representation["id"], stored_username=representation.get("username"))


@strawberry.federation.type(keys=["upc"], extend=True)
class Product:
    upc: str

    @strawberry.field
    def reviews(self) -> list[Review | None] | None:
        return [_review(record) for record in REVIEWS if record.product_upc == self.upc]

    @classmethod
    def resolve_reference(cls, **representation: Any) -> Product:
        return cls(upc=representation["upc"])


@strawberry.federation.type(keys=["id"])
class Review:
    id: strawberry.ID
    body: str | None
    author_id: strawberry.Private[str]
    product_upc: strawberry.Private[str]

    author: User | None = strawberry.federation.field(resolver=_author, provides=["username"])

    @strawberry.field
    def product(self) -> Product | None:
        return Product(upc=self.product_upc)

    @classmethod
    def resolve_reference(cls, **representation: Any) -> Review | None:
        record = _REVIEWS_BY_ID.get(representation.get("id"))
        return None if record is None else _review(record)


_REVIEWS_BY_ID: dict[object, ReviewRecord] = {record.id: record for record in REVIEWS}


def _review(record: ReviewRecord) -> Review:
    return Review(
        id=strawberry.ID(record.id),
        body=record.body,
        author_id=record.author_id,
        product_upc=record.product_upc,
    )


schema = Schema(types=[Review, User, Product], federation_version="2.3")
