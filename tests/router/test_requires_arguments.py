"""Two ``@requires`` of one field with different arguments: each gets its own value.

``shipping`` needs ``price(currency: "USD")`` for ``usCost`` and ``price(currency: "EUR")``
for ``euCost``. A representation carries one ``price``, so the planner fetches both prices
under their own response keys and asks ``shipping`` once per argument set. (Apollo Gateway
fetches one of the prices and feeds it to both fields.)
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.federation import Schema

from tests.router.inline_fleet import ask

_RATES = {"USD": 10, "EUR": 9}


@strawberry.federation.type(keys=["id"])
class CatalogProduct:
    id: strawberry.ID

    @strawberry.field
    def price(self, currency: str) -> int | None:
        return int(self.id) * _RATES[currency]


@strawberry.type
class CatalogQuery:
    @strawberry.field
    def top(self) -> list[CatalogProduct]:
        return [CatalogProduct(id=strawberry.ID("1")), CatalogProduct(id=strawberry.ID("2"))]


@strawberry.federation.type(keys=["id"], name="Product")
class ShippingProduct:
    id: strawberry.ID
    given: strawberry.Private[int | None]

    @strawberry.federation.field(external=True)
    def price(self, currency: str) -> int | None:
        return self.given

    @strawberry.federation.field(requires=['price(currency: "USD")'])
    def us_cost(self) -> int | None:
        return None if self.given is None else self.given + 1

    @strawberry.federation.field(requires=['price(currency: "EUR")'])
    def eu_cost(self) -> int | None:
        return None if self.given is None else self.given + 2

    @classmethod
    def resolve_reference(cls, **representation: Any) -> ShippingProduct:
        return cls(id=representation["id"], given=representation.get("price"))


CatalogProduct.__strawberry_definition__.name = "Product"  # type: ignore[attr-defined]


catalog = Schema(query=CatalogQuery, types=[CatalogProduct])
shipping = Schema(query=None, types=[ShippingProduct])


async def _ask(query: str) -> tuple[dict[str, Any], str]:
    return await ask(__name__, {"catalog": catalog, "shipping": shipping}, query)


async def test_each_argument_set_feeds_its_own_field() -> None:
    body, plan = await _ask("{ top { id usCost euCost } }")
    assert body == {
        "data": {
            "top": [
                {"id": "1", "usCost": 11, "euCost": 11},
                {"id": "2", "usCost": 21, "euCost": 20},
            ]
        }
    }, plan


async def test_a_client_price_with_other_arguments_is_not_fed_to_the_requirement() -> None:
    body, plan = await _ask('{ top { price(currency: "EUR") usCost } }')
    assert body == {"data": {"top": [{"price": 9, "usCost": 11}, {"price": 18, "usCost": 21}]}}, (
        plan
    )
