"""The router's HTTP server: GraphQL over HTTP on ``/graphql``, GraphiQL, health.

``create_app`` wires a :class:`~router.pipeline.Router` into a Starlette app. The spec
rules (parameters, content negotiation, status codes) live in :mod:`router.http_protocol`;
this module only moves bytes in and out and makes sure no request ever ends in an
unhandled exception.

Debugging: a request with the header ``X-Query-Plan: true`` (or Apollo's
``Apollo-Query-Plan-Experimental: 1``) gets the printed query plan back in
``extensions.queryPlan``; with ``X-Expose-Cost: true`` (and ``demand_control`` on) it gets
the estimated and actual cost in ``extensions.cost``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute, request_response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from router.audit.endpoint import audit_endpoint
from router.audit.log import AuditLog
from router.audit.record import audit_trail
from router.batching import BatchingConfig, batch_from_body
from router.compression import DEFAULT_MIN_COMPRESS_BYTES, compression_middleware
from router.cors import CorsPolicy
from router.csrf import CsrfPrevention
from router.demand_control import EXPOSE_COST_HEADER
from router.graphiql import (
    CONTENT_SECURITY_POLICY,
    STATIC_DIRECTORY,
    GraphiQLExample,
    render_graphiql_page,
)
from router.http_protocol import (
    APPLICATION_JSON,
    GRAPHQL_RESPONSE_JSON,
    TEXT_HTML,
    HTTPProblem,
    error_body,
    execution_status,
    negotiate,
    request_error_status,
    request_from_body,
    request_from_query_params,
)
from router.operation import Field
from router.operation_documents import OperationDocuments
from router.pipeline import Router
from router.rate_limit import ClientBuckets, RateLimiter
from router.readiness import check_readiness
from router.request import GraphQLRequest, OperationKind, RequestError, RequestErrorKind
from router.security.identity import ANONYMOUS, Identity, IdentityKind
from router.security.middleware import RouterSecurity
from router.security_headers import SecurityHeadersConfig
from router.subscriptions import SubscriptionLimits
from router.subscriptions.hub import SubscriptionHub
from router.subscriptions.sse import SseMiddleware
from router.subscriptions.websocket import WebSocketEndpoint
from router.supergraph_reload import SupergraphReloader
from router.telemetry.config import TelemetryConfig
from router.telemetry.metrics import PROMETHEUS_TEXT, ConnectionsCollector, RouterMetrics
from router.telemetry.middleware import TelemetryMiddleware

__all__ = [
    "DEFAULT_BODY_TIMEOUT",
    "DEFAULT_MAX_BODY_BYTES",
    "GRAPHIQL_STATIC_PATH",
    "GRAPHQL_PATH",
    "create_app",
]

GRAPHQL_PATH = "/graphql"
GRAPHIQL_STATIC_PATH = "/graphiql/static"
DEFAULT_MAX_BODY_BYTES = 2 * 1024 * 1024
# seconds a client may take to send its request body
DEFAULT_BODY_TIMEOUT = 10.0

_JSON_OFFERS: tuple[str, ...] = (GRAPHQL_RESPONSE_JSON, APPLICATION_JSON)
_ALLOWED_METHODS = "GET, POST"
_logger = logging.getLogger(__name__)


def create_app(
    router: Router,
    *,
    graphiql: bool = True,
    query_plans: bool = True,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    body_timeout: float = DEFAULT_BODY_TIMEOUT,
    cors: CorsPolicy | None = None,
    compress_min_bytes: int | None = DEFAULT_MIN_COMPRESS_BYTES,
    graphiql_example: GraphiQLExample | None = None,
    security: RouterSecurity | None = None,
    rate_limiter: RateLimiter | None = None,
    documents: OperationDocuments | None = None,
    csrf: CsrfPrevention | None = None,
    security_headers: SecurityHeadersConfig | None = None,
    batching: BatchingConfig | None = None,
    introspection: bool = True,
    audit: AuditLog | None = None,
    reloader: SupergraphReloader | None = None,
    telemetry: TelemetryConfig | None = None,
    access_log: bool = True,
    subscriptions: SubscriptionLimits | None = None,
) -> Starlette:
    """Build the Starlette app; its lifespan closes ``router`` on shutdown.

    ``query_plans=False`` ignores the query-plan request headers (for production).
    POST bodies over ``max_body_bytes`` get 413 ``PAYLOAD_TOO_LARGE`` without being read
    into memory whole; a body not received within ``body_timeout`` seconds gets 408
    ``REQUEST_TIMEOUT``. ``cors`` lists the web origins allowed to call the router (none by
    default); responses of ``compress_min_bytes`` or more are gzipped for clients that
    accept it (``None``: never). ``/health`` is liveness, ``/ready`` (or ``/health/ready``)
    readiness (every subgraph reachable, with latencies). ``graphiql_example`` opens
    GraphiQL with an operation and headers of the deployment's choosing.
    ``security`` (from ``router.yaml``) identifies the caller of every ``/graphql``
    request first; the app starts and closes it. ``rate_limiter`` (``router.yaml``
    ``rate_limits``) then charges the caller's buckets (429 ``RATE_LIMITED`` when empty).
    ``documents`` resolves persisted queries and trusted documents (default: APQ in
    memory, every operation allowed); ``csrf`` refuses unpreflighted operations (none by
    default; ``serve`` turns it on unless router.yaml says otherwise);
    ``security_headers`` default to nosniff, no-referrer and ``frame-ancestors 'none'``.
    ``batching`` (off by default) admits JSON arrays of operations (:mod:`router.batching`);
    ``introspection=False`` answers ``__schema``/``__type`` with 400 ``INTROSPECTION_DISABLED``.
    ``audit`` records every mutation and unmasked personal-data read (:mod:`router.audit`)
    and serves ``GET /audit`` to callers with ``audit:read``; the app starts and closes it.
    ``reloader`` (:mod:`router.supergraph_reload`) swaps in a new supergraph while serving;
    ``/ready`` (also ``/health/ready``) then reports the loaded one.
    ``/metrics`` serves the app's :class:`~router.telemetry.metrics.RouterMetrics`
    (Prometheus text, also ``app.state.metrics``; the trusted documents' operation names and
    ``telemetry.metrics.max_operation_names`` others kept as labels) with the rate limiter's
    counters; every ``/graphql`` request goes through
    :class:`~router.telemetry.middleware.TelemetryMiddleware` (request id, root span,
    metrics, one ``router.access`` log line unless ``access_log=False`` or
    ``telemetry.logging.access_log`` is false). Tracing is the process's
    (:func:`observability.tracing.configure_tracing`).
    ``subscriptions`` limits the subscriptions served on ``/graphql`` over a WebSocket and
    over SSE (:mod:`router.subscriptions`); they end when the app shuts down or reloads.
    """
    endpoint = _GraphQLEndpoint(
        router,
        graphiql=graphiql,
        query_plans=query_plans,
        max_body_bytes=max_body_bytes,
        body_timeout=body_timeout,
    )
    endpoint.graphiql_example = graphiql_example
    endpoint.documents = documents or OperationDocuments()
    endpoint.csrf = csrf
    endpoint.batching = batching or BatchingConfig()
    endpoint.introspection = introspection
    endpoint.audit = audit
    endpoint.require_authentication = router.authorizer.config.require_authentication
    hub = SubscriptionHub(router, security, subscriptions)
    if reloader is not None:
        reloader.subscribe(endpoint.use_router)
        reloader.subscribe(hub.use_router)
    graphql_app: ASGIApp = SseMiddleware(endpoint, hub)
    if rate_limiter is not None:
        graphql_app = rate_limiter.wrap(graphql_app)
    if security is not None:
        graphql_app = security.wrap(graphql_app)
    telemetry = telemetry or TelemetryConfig()
    metrics = RouterMetrics(
        _operation_names(endpoint.documents), telemetry.metrics.max_operation_names
    )
    metrics.register(rate_limiter.counters() if rate_limiter is not None else ())
    metrics.register([ConnectionsCollector(lambda: endpoint.router.clients.pool_usage())])
    access_log = access_log and telemetry.logging.access_log
    graphql_app = TelemetryMiddleware(graphql_app, metrics, access_log=access_log)
    routes: list[BaseRoute] = [
        Route(GRAPHQL_PATH, graphql_app),
        WebSocketRoute(GRAPHQL_PATH, WebSocketEndpoint(hub)),
        Route("/health", _health, methods=["GET"]),
        Route("/health/ready", _ready_endpoint(router, reloader), methods=["GET"]),
        Route("/ready", _ready_endpoint(router, reloader), methods=["GET"]),
        Route("/metrics", _metrics_endpoint(metrics), methods=["GET"]),
    ]
    if audit is not None:
        audit_app: ASGIApp = request_response(audit_endpoint(audit.store))
        if security is not None:
            audit_app = security.wrap(audit_app)
        routes.append(Route("/audit", audit_app, methods=["GET"]))
    if graphiql:
        static = StaticFiles(directory=STATIC_DIRECTORY)
        routes.append(Mount(GRAPHIQL_STATIC_PATH, app=static, name="graphiql-static"))

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        try:
            if security is not None:
                await security.startup()
            if audit is not None:
                await audit.startup()
            if reloader is not None:
                await reloader.start()
            yield
        finally:
            await hub.aclose()
            if reloader is not None:
                await reloader.stop()
            if security is not None:
                await security.aclose()
            if rate_limiter is not None:
                await rate_limiter.aclose()
            await endpoint.documents.aclose()
            await endpoint.router.aclose()  # the current one (the clients are shared)
            if audit is not None:  # last: what the requests above queued is written
                await audit.aclose()

    middleware = [
        *(security_headers or SecurityHeadersConfig()).middleware(),
        *(cors or CorsPolicy()).middleware(),
        *compression_middleware(compress_min_bytes),
    ]
    app = Starlette(routes=routes, lifespan=lifespan, middleware=middleware)
    app.state.metrics = metrics
    app.state.subscriptions = hub  # router.graceful_shutdown ends them first
    return app


async def _health(_request: Request) -> Response:
    """Liveness, with the process id: behind ``serve --workers N`` it tells which worker
    answered."""
    return _json_response({"status": "ok", "pid": os.getpid()}, 200, APPLICATION_JSON)


def _ready_endpoint(
    router: Router, reloader: SupergraphReloader | None
) -> Callable[[Request], Awaitable[Response]]:
    async def ready(_request: Request) -> Response:
        readiness = await check_readiness(router.clients)
        body = readiness.as_json()
        if reloader is not None:
            body["supergraph"] = reloader.status()
        return _json_response(body, readiness.status_code, APPLICATION_JSON)

    return ready


def _metrics_endpoint(metrics: RouterMetrics) -> Callable[[Request], Awaitable[Response]]:
    async def exposition(_request: Request) -> Response:
        return Response(metrics.render(), headers={"content-type": PROMETHEUS_TEXT})

    return exposition


def _operation_names(documents: OperationDocuments) -> list[str]:
    """The trusted documents' operation names: always labels of their own."""
    return [op.name for op in documents.trusted.by_id.values() if op.name]


class _GraphQLEndpoint:
    """Handles ``/graphql``: every failure becomes a GraphQL error response, never a 500."""

    def __init__(
        self,
        router: Router,
        *,
        graphiql: bool,
        query_plans: bool,
        max_body_bytes: int,
        body_timeout: float,
    ) -> None:
        self.router = router
        self._graphiql = graphiql
        self._query_plans = query_plans
        self._max_body_bytes = max_body_bytes
        self._body_timeout = body_timeout
        self.graphiql_example: GraphiQLExample | None = None
        self.documents = OperationDocuments()
        self.csrf: CsrfPrevention | None = None
        self.batching = BatchingConfig()
        self.introspection = True
        self.audit: AuditLog | None = None
        self.require_authentication = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A raw ASGI app so that every method reaches :meth:`handle` (405s are ours)."""
        response = await self.handle(Request(scope, receive))
        await response(scope, receive, send)

    async def handle(self, request: Request) -> Response:
        media_type = APPLICATION_JSON
        try:
            media_type = self._negotiate(request)
            if media_type == TEXT_HTML:
                return _graphiql_page(request.scope.get("root_path", ""), self.graphiql_example)
            return await self._answer(request, media_type)
        except HTTPProblem as problem:
            body = error_body(problem.message, problem.code)
            return _json_response(body, problem.status, media_type, problem.headers)
        except ClientDisconnect:  # nobody to answer; not the router's failure
            _logger.debug("client disconnected during %s %s", request.method, request.url.path)
            return Response(status_code=499)
        except Exception:
            _logger.exception("unexpected failure answering %s %s", request.method, request.url)
            return _json_response(_internal_error_body(), 200, media_type)

    def _negotiate(self, request: Request) -> str:
        if request.method not in ("GET", "HEAD", "POST"):
            raise HTTPProblem(
                405,
                "METHOD_NOT_ALLOWED",
                f"{request.method} is not supported; use GET or POST.",
                {"Allow": _ALLOWED_METHODS},
            )
        offers: tuple[str, ...] = _JSON_OFFERS
        if self._graphiql and request.method != "POST":
            offers = (*_JSON_OFFERS, TEXT_HTML)
        media_type = negotiate(request.headers.get("accept"), offers)
        if media_type is None:
            raise HTTPProblem(
                406,
                "NOT_ACCEPTABLE",
                f"Cannot answer with any type in Accept; supported: {', '.join(offers)}.",
            )
        return media_type

    async def _answer(self, request: Request, media_type: str) -> Response:
        is_post = request.method == "POST"
        if self.csrf is not None:
            self.csrf.check(request.headers)
        if not is_post:
            graphql_request = request_from_query_params(request.query_params.multi_items())
            body, status = await self._operation(request, graphql_request, media_type)
            return _json_response(body, status, media_type)
        try:
            async with asyncio.timeout(self._body_timeout):
                raw = await _read_body(request, self._max_body_bytes)
        except TimeoutError:
            message = f"The request body was not received within {self._body_timeout} s."
            close = {"Connection": "close"}
            raise HTTPProblem(408, "REQUEST_TIMEOUT", message, close) from None
        content_type = request.headers.get("content-type")
        batch = batch_from_body(content_type, raw, self.batching)
        if batch is None:
            graphql_request = request_from_body(content_type, raw)
            body, status = await self._operation(request, graphql_request, media_type)
            return _json_response(body, status, media_type)
        batch = await _charge_batch(request, batch)
        answers = await asyncio.gather(
            *(self._batched(request, item, media_type) for item in batch)
        )
        return _json_response(list(answers), 200, media_type)

    async def _batched(
        self, request: Request, item: GraphQLRequest | HTTPProblem, media_type: str
    ) -> dict[str, Any]:
        try:
            if isinstance(item, HTTPProblem):
                raise item
            body, _status = await self._operation(request, item, media_type)
        except HTTPProblem as problem:
            return error_body(problem.message, problem.code)
        return body

    def use_router(self, router: Router) -> None:
        """Serve the next requests with ``router`` (a reloaded supergraph)."""
        self.router = router

    async def _operation(
        self, request: Request, graphql_request: GraphQLRequest, media_type: str
    ) -> tuple[dict[str, Any], int]:
        """One operation's response body and status (raises :class:`HTTPProblem`)."""
        router = self.router  # this request's, to the end, whatever a reload swaps in
        identity = (request.scope.get("state") or {}).get("identity")
        if not isinstance(identity, Identity):
            identity = ANONYMOUS  # no security configured: nobody is authenticated
        if self.require_authentication and identity.kind is IdentityKind.ANONYMOUS:
            raise HTTPProblem(401, "UNAUTHENTICATED", "This router requires a credential.")
        graphql_request = await self.documents.resolve(graphql_request, identity.client_id)
        prepared = await router.prepare_async(graphql_request, identity)
        if isinstance(prepared, RequestError):
            result: dict[str, Any] = {"errors": [dict(error) for error in prepared.errors]}
            if prepared.kind is RequestErrorKind.PLANNING:  # valid, but no plan: data null
                result["data"] = None
                return result, execution_status(media_type, result)
            status = request_error_status(media_type)
            if prepared.kind is RequestErrorKind.LIMIT:  # as Apollo Router: 400 for both types
                status = 400
            elif prepared.kind is RequestErrorKind.UNAUTHORIZED:  # reject mode: nothing ran
                status = 403
            return result, status
        _check_kind(prepared.kind, is_post=request.method == "POST")
        if not self.introspection and prepared.operation.introspection is not None:
            raise HTTPProblem(400, "INTROSPECTION_DISABLED", "introspection has been disabled")
        if self.audit is None:
            result = await router.execute(prepared)
        else:
            with audit_trail() as trail:
                result = await router.execute(prepared)
            self.audit.record(
                identity,
                operation_type=prepared.kind.value,
                operation_name=prepared.operation_name,
                query=graphql_request.query,
                root_fields=tuple(
                    s.name for s in prepared.operation.selections if isinstance(s, Field)
                ),
                result=result,
                trail=trail,
            )
        if self._query_plans and _wants_query_plan(request):
            extensions = dict(result.get("extensions") or {})
            extensions["queryPlan"] = router.explain(prepared)
            result = {**result, "extensions": extensions}
        if request.headers.get(EXPOSE_COST_HEADER, "").strip().lower() in ("true", "1"):
            cost = router.cost_extension(prepared, result)
            if cost is not None:
                result = {
                    **result,
                    "extensions": {**(result.get("extensions") or {}), "cost": cost},
                }
        return result, execution_status(media_type, result)


async def _charge_batch(
    request: Request, batch: tuple[GraphQLRequest | HTTPProblem, ...]
) -> tuple[GraphQLRequest | HTTPProblem, ...]:
    """Each operation of a batch takes its own token from the caller's rate-limit buckets
    (the first was taken for the request); one over the limit is answered ``RATE_LIMITED``
    in its place."""
    buckets = (request.scope.get("state") or {}).get("rate_limits")
    if not isinstance(buckets, ClientBuckets):
        return batch
    charged = [batch[0]]
    for item in batch[1:]:
        wait = await buckets.take()
        if wait is None:
            message = "Rate limits cannot be checked right now; retry later."
            charged.append(HTTPProblem(503, "SERVICE_UNAVAILABLE", message))
        elif wait:
            message = f"Too many requests; this operation can be retried in {math.ceil(wait)} s."
            charged.append(HTTPProblem(429, "RATE_LIMITED", message))
        else:
            charged.append(item)
    return tuple(charged)


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    too_large = HTTPProblem(
        413, "PAYLOAD_TOO_LARGE", f"The request body is larger than {limit} bytes."
    )
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise too_large
    return bytes(body)


def _check_kind(kind: OperationKind, *, is_post: bool) -> None:
    if kind is OperationKind.SUBSCRIPTION:  # router.subscriptions serves them
        raise HTTPProblem(
            406,
            "NOT_ACCEPTABLE",
            "A subscription needs a WebSocket (graphql-transport-ws) or a request that "
            "accepts text/event-stream.",
        )
    if kind is OperationKind.MUTATION and not is_post:
        raise HTTPProblem(
            405,
            "METHOD_NOT_ALLOWED",
            "Mutations cannot be sent with GET; use POST.",
            {"Allow": "POST"},
        )


def _wants_query_plan(request: Request) -> bool:
    headers = request.headers
    return (
        headers.get("x-query-plan", "").strip().lower() in ("true", "1")
        or headers.get("apollo-query-plan-experimental", "").strip() == "1"
    )


def _internal_error_body() -> dict[str, Any]:
    """``data: null`` keeps the answer a valid 200 under application/graphql-response+json;
    the traceback goes to the log, never to the client."""
    body = error_body("Internal server error.", "INTERNAL_SERVER_ERROR")
    return {"data": None, **body}


def _graphiql_page(root_path: str, example: GraphiQLExample | None) -> Response:
    """The page's URLs include ``root_path`` so it also works mounted under a prefix."""
    page = render_graphiql_page(
        endpoint=root_path + GRAPHQL_PATH,
        static_prefix=root_path + GRAPHIQL_STATIC_PATH,
        example=example,
    )
    return HTMLResponse(
        page,
        headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY, "Vary": "Accept"},
    )


def _json_response(
    body: Mapping[str, Any] | list[dict[str, Any]],
    status: int,
    media_type: str,
    headers: Mapping[str, str] | None = None,
) -> Response:
    return Response(
        orjson.dumps(body),
        status_code=status,
        media_type=f"{media_type}; charset=utf-8",
        headers={"Vary": "Accept", **(headers or {})},
    )
