"""The shop subgraphs as ASGI apps, reachable in-process at their supergraph routing URLs."""

from __future__ import annotations

from pathlib import Path

from strawberry.asgi import GraphQL

from tests.fleet.apps import FleetTransport
from tests.router.shop import catalog, inventory, reviews

__all__ = ["BASE_PORT", "SUPERGRAPH", "reset", "shop_apps", "shop_transport"]

BASE_PORT = 4101
SUPERGRAPH = (Path(__file__).parent / "supergraph.graphql").read_text(encoding="utf-8")


def shop_apps() -> dict[str, GraphQL[None, None]]:
    """In port order: catalog 4101, reviews 4102, inventory 4103."""
    schemas = {"catalog": catalog.schema, "reviews": reviews.schema, "inventory": inventory.schema}
    return {name: GraphQL(schema, graphql_ide=None) for name, schema in schemas.items()}


def shop_transport() -> FleetTransport:
    return FleetTransport(shop_apps(), BASE_PORT)


def reset() -> None:
    catalog.reset()
    reviews.reset()
