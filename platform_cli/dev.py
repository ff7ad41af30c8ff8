"""The development platform in one process.

Every subgraph is mounted in-process; the router and the domains reach each other through
:class:`~subgraphs.mount.MountedTransport` at the routing URLs of ``schema.graphql``, so no
request leaves the process. Each subgraph also listens on its own port (so that Hive
Gateway can serve the same ``schema.graphql`` against them, or Apollo Gateway the one of
:mod:`bench.peer_supergraph`), and every domain's event workers run in the background
(``subgraphs.workers``): the orders outbox is relayed to the bus and marketing consumes it.
The bus is NATS JetStream at ``EVENTS_URL``, else the embedded one, kept in the orders store
(``events.connect``); the domains' own workers (``subgraphs.registry``: the customers erasure
retrier) are started beside them. The router verifies the tokens of
:mod:`platform_cli.dev_credentials`.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import os
import socket
import sys
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import uvicorn
from starlette.applications import Starlette

from events.connect import open_bus
from models.database import Database, database_url, open_database
from models.seed.generate import Scale
from models.seed.run import seed_domain
from platform_cli.dev_credentials import DevCredentials, dev_security
from platform_cli.serving import QuietServer, bind, serve_until_stopped
from router.cors import CorsPolicy
from router.graphiql import GraphiQLExample
from router.pipeline import Router
from router.server import create_app as create_router_app
from router.serving import ServerLimits, uvicorn_config
from subgraphs.common.peers import Peers
from subgraphs.mount import MountedTransport
from subgraphs.registry import DOMAINS, create_app, local_url
from subgraphs.workers import running_workers

__all__ = ["EXAMPLE_OPERATION", "DevOptions", "Platform", "open_platform", "run", "wire_platform"]

logger = logging.getLogger("platform")

# What GraphiQL opens with on the development platform: customer 360.
EXAMPLE_OPERATION = Path(__file__).resolve().parents[1] / "docs" / "customer-360.graphql"
# A web app's dev server (any port on this machine) may call the development router.
DEV_CORS = CorsPolicy(allow_localhost=True)


@dataclass(frozen=True, slots=True)
class DevOptions:
    host: str = "127.0.0.1"
    port: int = 4000
    supergraph: Path = Path("schema.graphql")
    scale: Scale = field(default_factory=Scale)
    expose_subgraphs: bool = True


@dataclass(frozen=True, slots=True)
class Platform:
    databases: dict[str, Database]
    subgraph_apps: dict[str, Starlette]
    router: Router
    router_app: Starlette
    peers: Peers
    transport: MountedTransport
    # the router verifies these HS256 tokens (its directives are enforced: a caller
    # without a token is anonymous and sees the catalogue only)
    credentials: DevCredentials = field(default_factory=DevCredentials)

    def staff_headers(self) -> dict[str, str]:
        """Request headers of a staff caller with every scope of the catalogue."""
        return {"authorization": f"Bearer {self.credentials.staff_token()}"}


def _open_databases() -> dict[str, Database]:
    """One engine per distinct URL: in the embedded default every domain shares one file."""
    by_url: dict[str, Database] = {}
    databases = {}
    for name in DOMAINS:
        url = database_url(name)
        if url not in by_url:
            by_url[url] = open_database(url)
        databases[name] = by_url[url]
    return databases


def _graphiql_example(credentials: DevCredentials) -> GraphiQLExample:
    """Customer 360, sent with the staff token (the router enforces the access rules)."""
    example = GraphiQLExample.from_file(EXAMPLE_OPERATION)
    headers = json.dumps({"Authorization": f"Bearer {credentials.staff_token()}"}, indent=2)
    return dataclasses.replace(example, headers=headers)


@contextlib.asynccontextmanager
async def wire_platform(
    databases: Mapping[str, Database],
    supergraph_sdl: str,
    credentials: DevCredentials | None = None,
) -> AsyncIterator[Platform]:
    """Mount every subgraph in-process and put the router in front; the caller owns the
    databases. The router accepts bearer tokens of ``credentials`` (the development
    platform's when None, :mod:`platform_cli.dev_credentials`)."""
    credentials = credentials or DevCredentials()
    transport = MountedTransport()
    async with httpx.AsyncClient(transport=transport, timeout=10.0) as client:
        peers = Peers(urls={name: local_url(name) for name in DOMAINS}, client=client)
        subgraph_apps = {
            name: create_app(name, databases[name], peers, create_tables=False) for name in DOMAINS
        }
        for name, app in subgraph_apps.items():
            transport.mount(local_url(name), app)
        router = Router.from_supergraph_sdl(supergraph_sdl, transport=transport)
        router_app = create_router_app(
            router,
            cors=DEV_CORS,
            graphiql_example=_graphiql_example(credentials),
            security=dev_security(credentials),
        )
        try:
            yield Platform(
                dict(databases), subgraph_apps, router, router_app, peers, transport, credentials
            )
        finally:
            await router.aclose()


@contextlib.asynccontextmanager
async def open_platform(options: DevOptions) -> AsyncIterator[Platform]:
    """Open the databases, seed the empty ones, and wire the platform; closes all on exit."""
    databases = _open_databases()
    try:
        for name, database in databases.items():
            await seed_domain(database, name, options.scale, show_progress=sys.stderr.isatty())
        async with wire_platform(databases, options.supergraph.read_text()) as platform:
            yield platform
    finally:
        for database in {id(d): d for d in databases.values()}.values():
            await database.dispose()


def _server(app: Starlette, host: str, port: int) -> uvicorn.Config:
    """A subgraph's own port: also where the router opens its subscriptions (a WebSocket)."""
    return uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off")


def _router_server(app: Starlette, host: str, port: int) -> uvicorn.Config:
    """The router's server with its connection limits (header timeout, concurrency)."""
    limits = ServerLimits()
    return uvicorn_config(app, host, port, limits, log_level="warning", lifespan="off")


async def run(options: DevOptions) -> None:
    """Serve until Ctrl-C; every port is taken before seeding (a busy one raises PortInUse)."""
    ports = {"router": options.port}
    if options.expose_subgraphs:
        ports.update({name: DOMAINS[name].port for name in DOMAINS})
    sockets = {}
    try:
        for name, port in ports.items():
            sockets[name] = bind(options.host, port)
        await _serve(options, sockets)
    finally:
        for sock in sockets.values():
            sock.close()


async def _serve(options: DevOptions, sockets: Mapping[str, socket.socket]) -> None:
    async with open_platform(options) as platform:
        servers = [
            QuietServer(
                _router_server(platform.router_app, options.host, options.port)
                if name == "router"
                else _server(platform.subgraph_apps[name], options.host, DOMAINS[name].port),
                sock,
            )
            for name, sock in sockets.items()
        ]
        bus = open_bus(platform.databases["orders"])
        # The mounted apps run without a lifespan: their own workers are started here.
        secret = os.environ.get("ROUTER_IDENTITY_SECRET") or None
        domain_workers = [
            asyncio.create_task(work(platform.databases[name], platform.peers, secret))
            for name, domain in DOMAINS.items()
            for work in domain.worker_functions
        ]
        print(f"router:     http://{options.host}:{options.port}/graphql (GraphiQL in a browser)")
        credentials = platform.credentials
        print("staff token (every scope; send as Authorization: Bearer <token>):")
        print(f"  {credentials.staff_token()}")
        print("customer token (customer 1):")
        print(f"  {credentials.customer_token(1)}")
        if options.expose_subgraphs:
            for name in DOMAINS:
                print(f"{name + ':':11} {local_url(name, options.host)}")
        print("Press Ctrl-C to stop.", flush=True)
        try:
            async with running_workers(platform.databases, bus):
                await serve_until_stopped(servers)
        finally:
            for task in domain_workers:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await bus.close()
