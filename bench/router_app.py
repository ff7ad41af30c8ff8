"""Our router's ASGI app built in-process from a ``router.yaml`` configuration, as
``python -m router serve --config`` builds it (same sections, the serve defaults), and one
HTTP request sent straight to it (no sockets between client and app).

Keep :func:`app_from_config` in step with ``router.__main__._serve``: a new section wired
there must be wired here too for the in-process stage to pay it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any, NamedTuple

from starlette.applications import Starlette
from starlette.types import Message

from router.audit.log import AuditLog
from router.config import RouterConfig
from router.csrf import CsrfPrevention
from router.limits import OperationLimits
from router.operation_documents import OperationDocuments
from router.pipeline import Router
from router.rate_limit import RateLimiter
from router.security.middleware import security_from_config
from router.server import GRAPHQL_PATH, create_app

__all__ = [
    "WIRED_SECTIONS",
    "AppResponse",
    "app_from_config",
    "post_graphql",
    "running",
    "unwired_sections",
]

_LIMIT_NAMES = ("max_tokens", "max_depth", "max_aliases", "max_root_fields",
                "max_recursive_selections", "max_document_bytes")  # fmt: skip


# the sections app_from_config passes on; a configuration setting any other is refused, so
# the in-process figure never silently leaves out a feature
WIRED_SECTIONS = frozenset({
    "authentication", "api_keys", "identity_propagation", "authorization", "demand_control",
    "rate_limits",
    "traffic_shaping", "apq", "trusted_documents", "csrf", "security_headers", "batching",
    "limits", "audit", "mode", "graphiql", "introspection", "query_plans", "telemetry",
    "subscriptions",
})  # fmt: skip


def unwired_sections(config: RouterConfig, wired: frozenset[str] = WIRED_SECTIONS) -> list[str]:
    """The sections ``config`` sets that :func:`app_from_config` does not pass on."""
    return sorted(name for name in config.model_fields_set if name not in wired)


def app_from_config(config: RouterConfig, supergraph_sdl: str) -> Starlette:
    """ValueError when ``config`` sets a section this module does not wire yet."""
    unwired = unwired_sections(config)
    if unwired:
        raise ValueError(
            f"bench/router_app.py does not wire {', '.join(unwired)} yet (see router serve)"
        )
    limits = config.limits
    router = Router.from_supergraph_sdl(
        supergraph_sdl,
        limits=OperationLimits(
            **{name: getattr(limits, name) or None for name in _LIMIT_NAMES},
            warn_only=limits.warn_only,
        ),
        demand_control=config.demand_control,
        traffic_shaping=config.traffic_shaping,
        authorization=config.authorization,
    )
    return create_app(
        router,
        graphiql=False,
        query_plans=config.enables(config.query_plans),
        security=security_from_config(config),
        rate_limiter=RateLimiter.from_config(config.rate_limits),
        documents=OperationDocuments.from_config(config.apq, config.trusted_documents),
        csrf=CsrfPrevention.from_config(config.csrf),
        security_headers=config.security_headers,
        batching=config.batching,
        introspection=config.enables(config.introspection),
        telemetry=config.telemetry,  # tracing itself is process-wide (observability.tracing)
        subscriptions=config.subscriptions,
        audit=(
            AuditLog.from_config(config.audit, config.api_keys.database_url)
            if config.audit.enabled
            else None
        ),
    )


@asynccontextmanager
async def running(app: Starlette) -> AsyncIterator[Starlette]:
    """The app between its start-up and shut-down (its lifespan, as the server runs it)."""
    async with app.router.lifespan_context(app):
        yield app


class AppResponse(NamedTuple):
    status: int
    body: bytes


async def post_graphql(
    app: Starlette, body: bytes, headers: Mapping[str, str] | None = None
) -> AppResponse:
    """POST ``body`` (JSON) to ``/graphql`` of ``app`` and collect the answer."""
    raw_headers = [
        (b"host", b"127.0.0.1"),
        (b"content-type", b"application/json"),
        (b"accept", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *((name.lower().encode(), value.encode()) for name, value in (headers or {}).items()),
    ]
    scope: dict[str, Any] = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": GRAPHQL_PATH, "raw_path": GRAPHQL_PATH.encode(),
        "query_string": b"", "root_path": "", "headers": raw_headers,
        "client": ("127.0.0.1", 40000), "server": ("127.0.0.1", 80), "state": {},
    }  # fmt: skip
    messages: list[Message] = [{"type": "http.request", "body": body, "more_body": False}]
    sent: list[Message] = []

    async def receive() -> Message:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope, receive, send)
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    chunks = [m.get("body", b"") for m in sent if m["type"] == "http.response.body"]
    return AppResponse(status, b"".join(chunks))
