"""The real thing on real sockets: every subgraph (identities checked, production mode) and
the router (its security, subscriptions on) served by uvicorn on the tests' ports, the
orders outbox relayed to a bus of the test's own, and the orders feed that subscriptions
read; a caller that speaks HTTP, ``graphql-transport-ws`` and SSE."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import orjson
import uvicorn
from starlette.types import ASGIApp
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from events.bus import EventBus
from events.relay import relay_forever, relay_pending
from models.database import Database
from models.orders import OrderEvent
from platform_cli.dev_credentials import DevCredentials
from router.graceful_shutdown import GracefulServer
from router.pipeline import Router
from router.security.bearer import BearerVerifier
from router.security.credentials import Authenticator
from router.security.identity import IdentitySigner
from router.security.middleware import RouterSecurity
from router.server import create_app
from router.subscriptions import SubscriptionLimits
from router.supergraph_reload import SupergraphReloader
from subgraphs.common.app import create_subgraph_app
from subgraphs.common.identity import IdentityVerifier
from subgraphs.common.peers import Peers
from subgraphs.orders.subscriptions import ORDER_FEED
from subgraphs.registry import DOMAINS

__all__ = ["SUPERGRAPH", "Platform", "new_key", "receive", "running_platform", "send"]

HOST = "127.0.0.1"
ROUTER_PORT = 8010
SUBGRAPH_PORTS = {
    "customers": 8011,
    "products": 8012,
    "orders": 8013,
    "inventory": 8014,
    "marketing": 8015,
}
SECRET = "subscriptions-tests-identity-secret"
SUPERGRAPH = Path(__file__).resolve().parents[3] / "schema.graphql"
PROTOCOL = Subprotocol("graphql-transport-ws")


def _url(port: int) -> str:
    return f"http://{HOST}:{port}/graphql"


async def _serve(app: ASGIApp, port: int) -> tuple[uvicorn.Server, asyncio.Task[None]]:
    config = uvicorn.Config(app, host=HOST, port=port, log_level="warning", lifespan="on")
    server = GracefulServer(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    return server, task


async def _stop(server: uvicorn.Server, task: asyncio.Task[None]) -> None:
    """Bounded whatever the server does: ``asyncio.wait`` never waits on a task that will
    not take its cancellation (``wait_for`` would, and hang the session's loop)."""
    server.should_exit = True
    await asyncio.wait({task}, timeout=15)
    if not task.done():
        task.cancel()
        await asyncio.wait({task}, timeout=5)


@dataclass
class Platform:
    credentials: DevCredentials
    http: httpx.AsyncClient
    router_server: uvicorn.Server
    router_task: asyncio.Task[None]
    router_app: Any
    reloader: SupergraphReloader | None = None

    @property
    def url(self) -> str:
        return _url(ROUTER_PORT)

    def customer(self, customer_id: int) -> str:
        return f"Bearer {self.credentials.customer_token(customer_id)}"

    def staff(self) -> str:
        return f"Bearer {self.credentials.staff_token()}"

    async def post(self, authorization: str, query: str, **variables: Any) -> dict[str, Any]:
        response = await self.http.post(
            self.url,
            json={"query": query, "variables": variables},
            headers={"authorization": authorization},
        )
        body: dict[str, Any] = response.json()
        return body

    @contextlib.asynccontextmanager
    async def websocket(
        self, payload: Mapping[str, Any] | None = None
    ) -> AsyncIterator[ClientConnection]:
        """A WebSocket to the router, initialised with ``payload`` (acked)."""
        async with connect(
            "ws" + self.url.removeprefix("http"), subprotocols=[PROTOCOL], proxy=None
        ) as websocket:
            await send(websocket, {"type": "connection_init", "payload": dict(payload or {})})
            yield websocket

    async def wait_for_feed(self, delivered: int) -> None:
        """Until the orders feed has dispatched ``delivered`` events in all."""
        async with asyncio.timeout(10):
            while ORDER_FEED.delivered < delivered:
                await asyncio.sleep(0.01)

    async def wait_for_listeners(self, count: int) -> None:
        """Until ``count`` subscriptions of the orders subgraph listen to its feed."""
        async with asyncio.timeout(10):
            while ORDER_FEED.listeners < count:
                await asyncio.sleep(0.01)


async def send(websocket: ClientConnection, message: Mapping[str, Any]) -> None:
    await websocket.send(orjson.dumps(message).decode())


async def receive(websocket: ClientConnection, timeout: float = 10.0) -> dict[str, Any]:
    """The next message that is not a ping (answered)."""
    while True:
        message: dict[str, Any] = orjson.loads(await asyncio.wait_for(websocket.recv(), timeout))
        if message["type"] == "ping":
            await send(websocket, {"type": "pong"})
            continue
        return message


@contextlib.asynccontextmanager
async def running_platform(
    database: Database,
    bus: EventBus,
    limits: SubscriptionLimits | None = None,
    supergraph: Path | None = None,
) -> AsyncIterator[Platform]:
    """``supergraph``: a copy of schema.graphql the router reloads (``Platform.reloader``)."""
    await relay_pending(database, OrderEvent, bus)  # what earlier tests left: not live news
    verifier = IdentityVerifier(SECRET, production=True)
    credentials = DevCredentials()
    servers: list[tuple[uvicorn.Server, asyncio.Task[None]]] = []
    workers: list[asyncio.Task[None]] = []
    async with httpx.AsyncClient(timeout=10) as http:
        urls = {name: _url(port) for name, port in SUBGRAPH_PORTS.items()}
        peers = Peers(urls=urls, client=http)
        try:
            for name, domain in DOMAINS.items():
                app = create_subgraph_app(
                    name,
                    domain.schema,
                    database,
                    domain.metadata,
                    peers,
                    create_tables=False,
                    identity=verifier,
                )
                servers.append(await _serve(app, SUBGRAPH_PORTS[name]))
            workers.append(
                asyncio.create_task(relay_forever(database, OrderEvent, bus, interval=0.02))
            )
            workers.append(asyncio.create_task(ORDER_FEED.run(bus, wait=0.2)))
            sdl = (supergraph or SUPERGRAPH).read_text()
            router = Router.from_supergraph_sdl(sdl, subgraph_urls=urls)
            reloader = None
            if supergraph is not None:
                build = partial(Router.from_supergraph_sdl, clients=router.clients)
                reloader = SupergraphReloader(
                    supergraph, router, build, loaded_sdl=sdl, poll_seconds=0
                )
            security = RouterSecurity(
                Authenticator(BearerVerifier(credentials.jwt_config()), None),
                IdentitySigner(SECRET),
            )
            app = create_app(router, security=security, subscriptions=limits, reloader=reloader)
            router_server, router_task = await _serve(app, ROUTER_PORT)
            yield Platform(credentials, http, router_server, router_task, app, reloader)
            await _stop(router_server, router_task)
        finally:
            for worker in workers:
                worker.cancel()
            if workers:
                await asyncio.wait(workers, timeout=10)
            for server, task in servers:
                await _stop(server, task)


def new_key() -> str:
    return f"subs-{uuid.uuid4().hex[:12]}"
