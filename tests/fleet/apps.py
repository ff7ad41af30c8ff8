"""The four fleet subgraphs as ASGI apps, and an httpx transport that reaches them in-process.

``fleet_transport()`` answers requests for ``http://127.0.0.1:4001/graphql`` (accounts),
``:4002`` (products), ``:4003`` (inventory) and ``:4004`` (reviews) -- the routing URLs of
``tests/fixtures/fleet/supergraph.graphql`` -- without opening a socket, and counts the
requests each subgraph received so tests can compare them with Apollo Gateway's fetches.
Like the Node fleet, each app answers on any path.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Mapping

import httpx
from starlette.types import ASGIApp
from strawberry.asgi import GraphQL
from strawberry.federation import Schema

from tests.fleet import accounts, inventory, products, reviews

__all__ = [
    "DEFAULT_BASE_PORT",
    "FLEET_HOST",
    "SUBGRAPH_NAMES",
    "FleetTransport",
    "fleet_apps",
    "fleet_schemas",
    "fleet_transport",
    "fleet_urls",
]

FLEET_HOST = "127.0.0.1"
DEFAULT_BASE_PORT = 4001
SUBGRAPH_NAMES: tuple[str, ...] = ("accounts", "products", "inventory", "reviews")


def fleet_schemas() -> dict[str, Schema]:
    """The subgraph schemas by name, in port order."""
    modules = (accounts, products, inventory, reviews)
    return {name: module.schema for name, module in zip(SUBGRAPH_NAMES, modules, strict=True)}


def fleet_apps() -> dict[str, ASGIApp]:
    """One ASGI GraphQL app per subgraph (POST JSON; no IDE)."""
    return {name: GraphQL(schema, graphql_ide=None) for name, schema in fleet_schemas().items()}


def fleet_urls(base_port: int = DEFAULT_BASE_PORT) -> dict[str, str]:
    """The routing URL of each subgraph when the fleet starts at ``base_port``."""
    return {
        name: f"http://{FLEET_HOST}:{base_port + offset}/graphql"
        for offset, name in enumerate(SUBGRAPH_NAMES)
    }


class FleetTransport(httpx.AsyncBaseTransport):
    """Dispatches on the request's port to the in-process app of that subgraph.

    A request for a host or port that is not part of the fleet fails with
    :class:`httpx.ConnectError`, as a refused connection would. Each request first yields to
    the event loop, as a network round trip does, so fetches that a plan runs in parallel
    really interleave (a plan that runs a fetch beside the one it depends on shows here).
    """

    def __init__(self, apps: Mapping[str, ASGIApp], base_port: int = DEFAULT_BASE_PORT) -> None:
        self.requests: Counter[str] = Counter()
        self._names_by_port = {base_port + offset: name for offset, name in enumerate(apps)}
        self._transports = {name: httpx.ASGITransport(app=app) for name, app in apps.items()}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        name = self._names_by_port.get(request.url.port or 0)
        if request.url.host != FLEET_HOST or name is None:
            raise httpx.ConnectError(f"no fleet subgraph at {request.url}", request=request)
        self.requests[name] += 1
        await asyncio.sleep(0)
        return await self._transports[name].handle_async_request(request)

    async def aclose(self) -> None:
        for transport in self._transports.values():
            await transport.aclose()


def fleet_transport(base_port: int = DEFAULT_BASE_PORT) -> FleetTransport:
    """A fresh transport (with its own request counter) over a fresh set of apps."""
    return FleetTransport(fleet_apps(), base_port)
