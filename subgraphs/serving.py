"""Serve one subgraph over HTTP on its own: the production shape, one process per domain,
with the domain's event workers (``subgraphs.workers``) on the bus ``events.connect`` opens.

Before serving, :func:`prepare_database` brings the domain's tables to the head migration
(production: checks, and raises :class:`~models.migrate.SchemaBehind` when they are behind,
so the process refuses to start); a database not reachable yet is left to the app's
readiness, which does the same once it answers.

Used by ``python -m subgraphs serve`` and by the benchmarks (which wrap the app to count
its SQL statements), so both run the subgraph the same way.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable, Mapping
from typing import Any

import httpx
import uvicorn
from starlette.types import ASGIApp

from events.connect import open_bus
from models.database import Database, database_url, open_database
from models.database_errors import is_unavailable
from models.migrate import prepare_schema
from subgraphs.common.graceful_shutdown import DEFAULT_GRACE_SECONDS, GracefulServer, grace_period
from subgraphs.common.peers import Peers
from subgraphs.registry import create_app
from subgraphs.workers import running_workers

__all__ = ["prepare_database", "serve_subgraph"]

logger = logging.getLogger("subgraphs")


async def prepare_database(domain: str) -> None:
    """The domain's tables at head (development: migrated; production: checked), once per
    ``serve`` before any worker starts. A database that does not answer yet is only
    logged: the leader's app prepares it once it answers."""
    database = open_database(database_url(domain))
    try:
        await prepare_schema(database, domain)
    except Exception as error:
        if not is_unavailable(error):
            raise
        logger.warning("%s: database not reachable yet (%.200r)", domain, error)
    finally:
        await database.dispose()


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
