"""Two ``@requires`` of one field with different arguments: each gets its own value.

``shipping`` needs ``price(currency: "USD")`` for ``usCost`` and ``price(currency: "EUR")``
for ``euCost``. A representation carries one ``price``, so the planner fetches both prices
under their own response keys and asks ``shipping`` once per argument set. (Apollo Gateway
fetches one of the prices and feeds it to both fields.)
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.asgi import GraphQL
from strawberry.federation import Schema

from router.composition.config import SubgraphConfig
from router.composition.sources import load_sdl
from router.pipeline import PreparedOperation, Router
from router.plan import format_plan
from router.request import GraphQLRequest
from router.subgraph_client import SubgraphClients
from router.supergraph import Supergraph
from tests.fleet.apps import FleetTransport
from tests.router.planning.support import compose_supergraph

_RATES = {"USD": 10, "EUR": 9}
_BASE_PORT = 4601


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


def _router(transport: FleetTransport) -> Router:
    names = ("catalog", "shipping")
    sdl = {name: load_sdl(SubgraphConfig(name, "", module=f"{__name__}:{name}")) for name in names}
    supergraph = compose_supergraph(sdl)
    urls = {name: f"http://127.0.0.1:{_BASE_PORT + i}/graphql" for i, name in enumerate(names)}
    for name, url in urls.items():
        supergraph = supergraph.replace(f"http://{name}/graphql", url)
    return Router(Supergraph.from_sdl(supergraph), SubgraphClients(urls, transport=transport), 8)


async def _ask(query: str) -> tuple[dict[str, Any], str]:
    apps = {"catalog": GraphQL(catalog), "shipping": GraphQL(shipping)}
    router = _router(FleetTransport(apps, _BASE_PORT))
    try:
        prepared = router.prepare(GraphQLRequest(query, None, None))
        assert isinstance(prepared, PreparedOperation), prepared
        return await router.execute(prepared), format_plan(prepared.plan)
    finally:
        await router.aclose()


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
