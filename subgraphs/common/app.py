"""The ASGI app of one subgraph: ``POST /graphql`` (and GET for queries), subscriptions
over a WebSocket on ``/graphql`` (``graphql-transport-ws``, for the router), ``/health``
(liveness), ``/ready`` (started, and the database answers) and ``/metrics`` (Prometheus,
:mod:`subgraphs.common.telemetry`).

``/graphql`` runs behind a :class:`~subgraphs.common.deadline.RequestGuard` (body limit,
deadline, cancellation on disconnect) and answers SERVICE_UNAVAILABLE until the database
has answered once (:mod:`subgraphs.common.readiness`). A domain's background ``workers``
(e.g. the customers domain's erasure retrier) run for as long as the app's lifespan.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from typing import Any

import orjson
import strawberry
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from sqlalchemy import MetaData, text
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLRequestData
from strawberry.types import ExecutionResult
from strawberry.types.execution import SubscriptionExecutionResult

from models.database import Database
from models.migrate import prepare_schema
from subgraphs.common.audit_report import AUDIT_EXTENSION
from subgraphs.common.context import SubgraphContext
from subgraphs.common.deadline import RequestGuard, deadline_of
from subgraphs.common.error_response import send_graphql_error
from subgraphs.common.identity import (
    IdentityMiddleware,
    IdentityVerifier,
    verifier_from_environment,
)
from subgraphs.common.peers import Peers
from subgraphs.common.readiness import Readiness
from subgraphs.common.telemetry import (
    SubgraphMetrics,
    SubgraphTelemetry,
    instrument_database,
    note_errors,
    outbox_tables,
)

__all__ = ["SubgraphView", "Worker", "create_subgraph_app"]

# Background work of a domain: its database, its peers and the identity secret to sign its
# own calls with (``subgraphs.common.identity.acting_as_service``); runs until cancelled.
Worker = Callable[[Database, Peers, str | None], Coroutine[Any, Any, None]]


class SubgraphView(GraphQL[SubgraphContext, None]):
    """Strawberry's ASGI view with our context and orjson encoding; no IDE (the router
    serves GraphiQL for the whole graph)."""

    def __init__(self, schema: strawberry.federation.Schema, database: Database, peers: Peers):
        super().__init__(schema, graphql_ide=None)
        self.database = database
        self.peers = peers

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> SubgraphContext:
        return SubgraphContext(self.database, self.peers, deadline_of(request.scope))

    async def execute_operation(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        request_data: GraphQLRequestData | list[GraphQLRequestData],
        context: SubgraphContext,
        root_value: None,
        sub_response: Response,
    ) -> ExecutionResult | list[ExecutionResult] | SubscriptionExecutionResult:
        """Strawberry's execution, with what the request touched in ``extensions.audit``
        (personal data read unmasked, mutations: :mod:`subgraphs.common.audit_report`)."""
        result = await super().execute_operation(
            request, request_adapter, request_data, context, root_value, sub_response
        )
        report = context.audit.extension()
        if isinstance(result, ExecutionResult) and result.errors:
            note_errors(len(result.errors))
        if report is not None and isinstance(result, ExecutionResult):
            result.extensions = {**(result.extensions or {}), AUDIT_EXTENSION: report}
        return result

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        """A POST body that is not JSON is 415 (GraphQL over HTTP), not Strawberry's 400."""
        media_type = (request.content_type or "").partition(";")[0].strip().lower()
        if request.method != "GET" and media_type != "application/json":
            raise HTTPException(415, "Unsupported Media Type: POST needs application/json")
        return await super().parse_http_body(request)


def create_subgraph_app(
    name: str,
    schema: strawberry.federation.Schema,
    database: Database,
    metadata: MetaData,
    peers: Peers | None = None,
    *,
    create_tables: bool = True,
    identity: IdentityVerifier | None = None,
    workers: Sequence[Worker] = (),
) -> Starlette:
    """The app for domain ``name``. The caller owns ``database`` (and disposes of it).

    ``create_tables``: at start-up, bring the domain's tables to the head migration (in
    production only check that they are there: :func:`models.migrate.prepare_schema`);
    otherwise only wait for the database to answer. ``identity`` checks the router's
    identity header (default: from ``OPS_MODE`` and
    ``ROUTER_IDENTITY_SECRET``, see :mod:`subgraphs.common.identity`).
    """
    verifier = identity if identity is not None else verifier_from_environment()
    peers = peers or Peers()
    view = SubgraphView(schema, database, peers)

    async def start() -> None:
        if create_tables:
            await prepare_schema(database, name)
        else:
            await _ping(database)

    readiness = Readiness(name, start)

    async def graphql(scope: Scope, receive: Receive, send: Send) -> None:
        if not readiness.ready and scope["type"] == "http":
            message = f"The {name} service is starting: its database is not reachable yet"
            await send_graphql_error(send, 503, message, "SERVICE_UNAVAILABLE")
            return
        if not readiness.ready:  # a WebSocket: refused at the handshake (HTTP 403)
            await send({"type": "websocket.close", "code": 1013})
            return
        await view(scope, receive, send)

    guard = RequestGuard(graphql)
    metrics = SubgraphMetrics(name, database, outbox_tables(metadata))
    instrument_database(database)

    async def health(_request: Request) -> Response:
        """Liveness: the process answers (restarting it would not bring the database)."""
        status = "ok" if readiness.ready else "starting"
        return JSONResponse({"status": status, "subgraph": name})

    async def ready(_request: Request) -> Response:
        """Readiness: started, and the database answers now."""
        if not readiness.ready:
            return JSONResponse(
                {"status": "starting", "subgraph": name, "error": readiness.last_error},
                status_code=503,
            )
        try:
            await _ping(database)
        except Exception as error:
            return JSONResponse(
                {"status": "unavailable", "subgraph": name, "error": type(error).__name__},
                status_code=503,
            )
        return JSONResponse({"status": "ok", "subgraph": name})

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[dict[str, Any]]:
        readiness.begin()
        tasks = [
            asyncio.create_task(work(database, peers, verifier.secret), name=f"{name}-worker")
            for work in workers
        ]
        try:
            yield {}
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await readiness.stop()

    app = Starlette(
        routes=[
            Route("/graphql", SubgraphTelemetry(guard, metrics), methods=["GET", "POST"]),
            WebSocketRoute("/graphql", _AsgiApp(graphql)),  # subscriptions (graphql-transport-ws)
            Route("/health", health),
            Route("/ready", ready),
            Route("/metrics", metrics.endpoint, methods=["GET"]),
        ],
        middleware=[Middleware(IdentityMiddleware, verifier=verifier)],
        lifespan=lifespan,
    )
    app.state.guard = guard
    app.state.readiness = readiness
    app.state.metrics = metrics
    return app


class _AsgiApp:
    """An ASGI function as a route's app (Starlette calls a plain function with a session)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


async def _ping(database: Database) -> None:
    async with database.engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
