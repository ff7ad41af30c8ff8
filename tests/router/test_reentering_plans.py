"""Plans that re-enter a subgraph: ``a -> b -> a -> b``.

``b.b2`` requires ``a2``, which ``a`` computes from ``b1``, which ``b`` computes from ``a1``.
Each value is computed from the one before, so a wrong order or a missing hop shows in the
numbers. (Apollo Gateway plans ``a2`` in ``a``'s root fetch, without the ``b1`` it needs.)
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.federation import Schema

from tests.router.inline_fleet import ask


@strawberry.federation.type(keys=["id"], name="Product")
class AProduct:
    id: strawberry.ID
    given_b1: strawberry.Private[int | None] = None

    @strawberry.field
    def a1(self) -> int | None:
        return int(self.id) * 10

    @strawberry.federation.field(external=True)
    def b1(self) -> int | None:
        return self.given_b1

    @strawberry.federation.field(requires=["b1"])
    def a2(self) -> int | None:
        return None if self.given_b1 is None else self.given_b1 * 2

    @classmethod
    def resolve_reference(cls, **representation: Any) -> AProduct:
        return cls(id=representation["id"], given_b1=representation.get("b1"))


@strawberry.type
class AQuery:
    @strawberry.field
    def p(self) -> AProduct:
        return AProduct(id=strawberry.ID("4"))


@strawberry.federation.type(keys=["id"], name="Product")
class BProduct:
    id: strawberry.ID
    given_a1: strawberry.Private[int | None] = None
    given_a2: strawberry.Private[int | None] = None

    @strawberry.federation.field(external=True)
    def a1(self) -> int | None:
        return self.given_a1

    @strawberry.federation.field(requires=["a1"])
    def b1(self) -> int | None:
        return None if self.given_a1 is None else self.given_a1 + 1

    @strawberry.federation.field(external=True)
    def a2(self) -> int | None:
        return self.given_a2

    @strawberry.federation.field(requires=["a2"])
    def b2(self) -> int | None:
        return None if self.given_a2 is None else self.given_a2 + 1

    @classmethod
    def resolve_reference(cls, **representation: Any) -> BProduct:
        return cls(
            id=representation["id"],
            given_a1=representation.get("a1"),
            given_a2=representation.get("a2"),
        )


a = Schema(query=AQuery, types=[AProduct])
b = Schema(query=None, types=[BProduct])


async def _ask(query: str) -> tuple[dict[str, Any], str]:
    return await ask(__name__, {"a": a, "b": b}, query)


async def test_a_b_a_b() -> None:
    body, plan = await _ask("{ p { b2 } }")
    assert body == {"data": {"p": {"b2": 83}}}, plan  # a1 40, b1 41, a2 82, b2 83
    assert plan.count('Fetch(service: "a")') == 2 and plan.count('Fetch(service: "b")') == 2


async def test_every_step_asked_at_once() -> None:
    body, plan = await _ask("{ p { b2 a2 b1 a1 id } }")
    assert body == {"data": {"p": {"b2": 83, "a2": 82, "b1": 41, "a1": 40, "id": "4"}}}, plan


async def test_a_b_a() -> None:
    body, plan = await _ask("{ p { a2 } }")
    assert body == {"data": {"p": {"a2": 82}}}, plan
