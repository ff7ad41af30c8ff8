"""The accounts subgraph of the test fleet: users, ``me`` and ``users``.

Mirrors ``accounts`` in ``tools/peers/fixtures/fleet.mjs``: three users, ``me`` is
the first one, and a reference to an unknown user id resolves to null.
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.federation import Schema

__all__ = ["USERS", "User", "schema"]


@strawberry.federation.type(keys=["id"])
class User:
    id: strawberry.ID
    name: str | None
    username: str | None = strawberry.federation.field(shareable=True)
    birth_date: str | None

    @classmethod
    def resolve_reference(cls, **representation: Any) -> User | None:
        return _USERS_BY_ID.get(representation.get("id"))


USERS: tuple[User, ...] = (
    User(id=strawberry.ID("1"), name="Ada Lovelace", birth_date="1815-12-10", username="@ada"),
    User(id=strawberry.ID("2"), name="Alan Turing", birth_date="1912-06-23", username="@complete"),
    User(id=strawberry.ID("3"), name="Grace Hopper", birth_date="1906-12-09", username="@grace"),
)
_USERS_BY_ID: dict[object, User] = {user.id: user for user in USERS}


@strawberry.type
class Query:
    @strawberry.field
    def me(self) -> User | None:
        return USERS[0]

    @strawberry.field
    def users(self) -> list[User]:
        return list(USERS)


schema = Schema(query=Query, federation_version="2.3")
