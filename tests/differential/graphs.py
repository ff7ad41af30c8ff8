"""The fixture graphs the differential harness runs over.

A :class:`FixtureGraph` is a name, a supergraph SDL whose routing URLs point where ``serve``
serves the subgraphs, the async context manager ``serve``, and the argument table of
values known to be valid. Ports come from the harness range 15000-15099: graph number ``n``
(see :data:`PORT_BLOCKS`) owns ``15000 + 20 * n`` to ``+ 19``; its subgraphs listen from
``+ 1``, Apollo Gateway on ``+ 10`` and Hive Gateway on ``+ 11``.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import uvicorn
from starlette.types import ASGIApp

from models.database import open_database
from models.seed import generate as seed_data
from models.seed.generate import Scale
from models.seed.run import SEEDERS, seed_domain
from subgraphs.common.peers import Peers
from subgraphs.registry import DOMAINS, create_app
from tests.differential.generate import OMIT, ArgumentTable, GeneratorOptions
from tests.fleet.record import node_fleet, supergraph_for
from tests.peers import REPOSITORY
from tests.router.interface_object.apps import interface_object_fixture
from tests.router.shapes.apps import shapes_fixture
from tests.router.shop.apps import SUPERGRAPH as SHOP_SUPERGRAPH
from tests.router.shop.apps import shop_apps

__all__ = [
    "FLEET",
    "HOST",
    "INTERFACE_OBJECT",
    "PORT_BLOCKS",
    "PROJECT",
    "SHAPES",
    "SHOP",
    "FixtureGraph",
    "block_port",
    "routed",
    "serving_asgi",
]

HOST = "127.0.0.1"
HARNESS_PORT = 15000
PORT_BLOCK_SIZE = 20
PORT_BLOCKS = {"fleet": 0, "shop": 1, "project": 2, "interface_object": 3, "shapes": 4}
"""Graph name -> its block of ports (the harness range holds five blocks)."""


def block_port(graph: str, offset: int) -> int:
    return HARNESS_PORT + PORT_BLOCK_SIZE * PORT_BLOCKS[graph] + offset


@dataclass(frozen=True, slots=True)
class FixtureGraph:
    name: str
    supergraph_sdl: str
    """Routing URLs already point where ``serve`` serves each subgraph."""
    serve: Callable[[], AbstractAsyncContextManager[None]]
    arguments: ArgumentTable
    options: GeneratorOptions = field(default_factory=GeneratorOptions)

    @property
    def gateway_port(self) -> int:
        return block_port(self.name, 10)

    @property
    def hive_port(self) -> int:
        return block_port(self.name, 11)


def routed(graph: str, sdl: str, names: tuple[str, ...]) -> tuple[str, dict[str, str]]:
    """``sdl`` with subgraph ``names[i]`` routed to port ``+ 1 + i`` of ``graph``'s block."""
    urls = {
        name: f"http://{HOST}:{block_port(graph, 1 + i)}/graphql" for i, name in enumerate(names)
    }
    return supergraph_for(urls, sdl), urls


@contextlib.asynccontextmanager
async def serving_asgi(apps: Mapping[int, ASGIApp]) -> AsyncIterator[None]:
    """Serve each app with uvicorn on its port in this event loop until the block ends."""
    servers = [
        uvicorn.Server(
            uvicorn.Config(app, host=HOST, port=port, log_level="warning", lifespan="off")
        )
        for port, app in apps.items()
    ]
    tasks = [asyncio.create_task(server.serve()) for server in servers]
    try:
        while not all(server.started for server in servers):
            if any(task.done() for task in tasks):
                await asyncio.gather(*tasks)
                raise RuntimeError(f"a subgraph server did not start on {list(apps)}")
            await asyncio.sleep(0.01)
        yield
    finally:
        for server in servers:
            server.should_exit = True
        await asyncio.gather(*tasks, return_exceptions=True)


# ---------------------------------------------------------------- fleet (Node reference)

_FLEET_NAMES = ("accounts", "products", "inventory", "reviews")
_FLEET_SDL, _ = routed(
    "fleet",
    (REPOSITORY / "tests" / "fixtures" / "fleet" / "supergraph.graphql").read_text(),
    _FLEET_NAMES,
)


@contextlib.asynccontextmanager
async def _serve_fleet() -> AsyncIterator[None]:
    """The Node reference fleet (``tools/peers/fixtures/fleet.mjs``), in its own process."""
    with node_fleet(block_port("fleet", 1)):
        yield


FLEET = FixtureGraph(
    "fleet",
    _FLEET_SDL,
    _serve_fleet,
    {"Query.topProducts": {"first": [OMIT, 0, 1, 2, 3, 10]}},
)

# ---------------------------------------------------------------- shop (Python, in-process)

_SHOP_NAMES = ("catalog", "reviews", "inventory")  # the port order of ``shop_apps``
_SHOP_SDL, _SHOP_URLS = routed("shop", SHOP_SUPERGRAPH, _SHOP_NAMES)


def _serve_shop() -> AbstractAsyncContextManager[None]:
    apps = shop_apps()
    assert tuple(apps) == _SHOP_NAMES
    return serving_asgi({httpx.URL(_SHOP_URLS[name]).port or 0: app for name, app in apps.items()})


SHOP = FixtureGraph(
    "shop",
    _SHOP_SDL,
    _serve_shop,
    {
        "Query.search": {"term": ["*", "e", "Dune", "a", "zzz"]},
        "Query.author": {"id": ["a1", "a2", "a9"]},
    },
)

# ---------------------------------------------------------------- project (five domains, SQLite)

PROJECT_SCALE = Scale(customers=30, orders=150, products=0, warehouses=3, seed=11)
_PROJECT_NAMES = tuple(DOMAINS)
_PROJECT_SDL, _PROJECT_URLS = routed(
    "project", (REPOSITORY / "schema.graphql").read_text(), _PROJECT_NAMES
)


@contextlib.asynccontextmanager
async def _serve_project() -> AsyncIterator[None]:
    """The five domains over a freshly seeded SQLite file, each on its own port; the
    domains call each other over HTTP too."""
    with tempfile.TemporaryDirectory() as directory:
        database = open_database(f"sqlite+aiosqlite:///{Path(directory) / 'project.db'}")
        try:
            for domain in SEEDERS:
                await seed_domain(database, domain, PROJECT_SCALE, show_progress=False)
            async with httpx.AsyncClient(timeout=10.0) as client:
                peers = Peers(urls=dict(_PROJECT_URLS), client=client)
                apps: dict[int, ASGIApp] = {
                    httpx.URL(url).port or 0: create_app(name, database, peers, create_tables=False)
                    for name, url in _PROJECT_URLS.items()
                }
                async with serving_asgi(apps):
                    yield
        finally:
            await database.dispose()


def _project_arguments() -> ArgumentTable:
    products = list(seed_data.products(PROJECT_SCALE))
    page = [1, 2]
    return {
        "Query.customer": {"id": ["1", "2", "7", "99999"]},
        "Query.customers": {
            "first": page,
            "filter": [OMIT, None, {"tier": "GOLD"}, {"search": "a"}, {"tag": "vip"}],
            "orderBy": [OMIT, {"field": "NAME"}, {"field": "CREATED_AT", "direction": "DESC"}],
        },
        "Query.warehouse": {"code": ["SH-01", "SZ-01", "XX-99"]},
        "Query.reservations": {"reference": ["order-1", "nothing"]},
        "Query.campaign": {"id": ["1", "3", "99"]},
        "Query.campaigns": {
            "first": page,
            "filter": [OMIT, {"status": "ACTIVE"}],
            "orderBy": [OMIT, {"field": "STARTS_AT", "direction": "DESC"}],
        },
        "Query.coupon": {"code": ["C01-SAVE05", "c03-save10", "NOPE"]},
        "Query.order": {"id": ["1", "5", "99999"]},
        "Query.orders": {
            "first": page,
            "filter": [OMIT, {"status": "PAID"}, {"customerId": "3"}],
            "orderBy": [OMIT, {"field": "TOTAL", "direction": "DESC"}],
        },
        "Query.product": {"id": ["1", "2", "5", "99999"]},
        "Query.productBySku": {"sku": [products[0].sku, products[3].sku, "SKU-999999"]},
        "Query.products": {
            "first": [1, 2, 3],
            "filter": [OMIT, {"category": products[0].category}, {"status": "LISTED"}],
            "orderBy": [OMIT, {"field": "PRICE", "direction": "DESC"}, {"field": "NAME"}],
        },
        "Customer.recommendations": {"first": page},
        "Customer.orders": {"first": page, "orderBy": [OMIT, {"field": "TOTAL"}]},
        "Campaign.coupons": {"first": page},
        "Product.relatedProducts": {"first": page},
        "Warehouse.stock": {"first": page},
    }


# Deeper than the default: the project's interesting paths are long (a warehouse's stock's
# product's shipping estimate), and its lists are short pages.
PROJECT = FixtureGraph(
    "project",
    _PROJECT_SDL,
    _serve_project,
    _project_arguments(),
    GeneratorOptions(max_depth=6, budget=(4, 22)),
)


# ------------------------------------------------- shapes of the planner tests (Python, in-process)


def _serve_fixture(
    graph: str, fixture: Callable[[int], tuple[str, Mapping[str, ASGIApp]]]
) -> Callable[[], AbstractAsyncContextManager[None]]:
    """Serve a fixture's apps in order on its block's ports (its own routing convention)."""

    def serve() -> AbstractAsyncContextManager[None]:
        _, apps = fixture(block_port(graph, 1))
        return serving_asgi({block_port(graph, 1 + i): app for i, app in enumerate(apps.values())})

    return serve


# @interfaceObject: assets owns the Asset interface, monitoring and tickets add to it
INTERFACE_OBJECT = FixtureGraph(
    "interface_object",
    interface_object_fixture(block_port("interface_object", 1))[0],
    _serve_fixture("interface_object", interface_object_fixture),
    {"Query.asset": {"id": ["srv-1", "srv-2", "sw-1", "sw-2", "nope"]}},
)

# @shareable value types across subgraphs, @join__field(type:), conflicting key types
SHAPES = FixtureGraph(
    "shapes",
    shapes_fixture(block_port("shapes", 1))[0],
    _serve_fixture("shapes", shapes_fixture),
    {"Query.greeting": {"name": ["Ada", "", "Grace"]}},
)
