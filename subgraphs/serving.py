"""Serve one subgraph over HTTP on its own: the production shape, one process per domain,
with the domain's event workers (``subgraphs.workers``) on the bus ``events.connect`` opens.

Used by ``python -m subgraphs serve`` and by the benchmarks (which wrap the app to count
its SQL statements), so both run the subgraph the same way.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Mapping
from typing import Any

import httpx
import uvicorn
from starlette.types import ASGIApp

from events.connect import open_bus
from models.database import Database, database_url, open_database
from subgraphs.common.graceful_shutdown import DEFAULT_GRACE_SECONDS, GracefulServer, grace_period
from subgraphs.common.peers import Peers
from subgraphs.registry import create_app
from subgraphs.workers import running_workers

__all__ = ["serve_subgraph"]


async def serve_subgraph(
    domain: str,
    host: str,
    port: int,
    peer_urls: Mapping[str, str],
    *,
    engine_options: Mapping[str, Any] | None = None,
    wrap: Callable[[ASGIApp, Database], ASGIApp] | None = None,
    log_level: str = "info",
    shutdown_grace: float = DEFAULT_GRACE_SECONDS,
    sock: socket.socket | None = None,
    leader: bool = True,
) -> None:
    """Serve ``domain`` until stopped (SIGTERM: gracefully, requests in flight get
    ``shutdown_grace`` seconds); ``wrap`` may put middleware around its app.

    A worker of ``serve --workers N`` serves on ``sock`` (already listening); only the
    ``leader`` (worker 0) creates the tables and runs the domain's event workers, so the
    outbox is relayed and each event consumed by one process of the domain."""
    database = open_database(database_url(domain), **dict(engine_options or {}))
    limits = httpx.Limits(max_keepalive_connections=20)
    async with httpx.AsyncClient(limits=limits, timeout=10.0) as client:
        peers = Peers(urls=dict(peer_urls), client=client)
        app: ASGIApp = create_app(domain, database, peers, create_tables=leader)
        if wrap is not None:
            app = wrap(app, database)
        # subgraphs.access is the access log (uvicorn's would show GET variables in URLs)
        config = uvicorn.Config(
            app,
            host=host,
            port=port,
            log_level=log_level,
            access_log=False,
            log_config=None,
            timeout_graceful_shutdown=grace_period(shutdown_grace),
        )
        bus = open_bus()
        try:
            async with running_workers({domain: database} if leader else {}, bus):
                await GracefulServer(config).serve(sockets=None if sock is None else [sock])
        finally:
            await bus.close()
            await database.dispose()
