"""GraphQL over server-sent events, distinct connections mode, on ``/graphql``.

https://github.com/enisdenjo/graphql-sse/blob/master/PROTOCOL.md: a ``POST`` (JSON body) or
``GET`` (query parameters) whose ``Accept`` asks for ``text/event-stream`` is answered
``200 text/event-stream``: one ``event: next`` per result (``data:`` its JSON), then
``event: complete``. The caller is the one the router's security identified from the
request's headers (the middleware runs before this one). An operation that cannot start
gets a ``next`` with its errors, then ``complete``. A comment line every
``heartbeat_seconds`` keeps proxies from closing an idle stream; the client closing the
connection ends the subscription.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping
from typing import Any

import orjson
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from router.http_protocol import (
    HTTPProblem,
    request_from_body,
    request_from_query_params,
)
from router.request import GraphQLRequest
from router.security.identity import ANONYMOUS, Identity
from router.subscriptions.hub import SubscriptionHub, SubscriptionRefused

__all__ = ["EVENT_STREAM", "SseMiddleware", "wants_event_stream"]

EVENT_STREAM = "text/event-stream"
_MAX_BODY = 2 * 1024 * 1024
_HEADERS = [
    (b"content-type", b"text/event-stream; charset=utf-8"),
    (b"cache-control", b"no-cache"),
    (b"x-accel-buffering", b"no"),
]


def wants_event_stream(scope: Scope) -> bool:
    if scope["type"] != "http" or scope["method"] not in ("GET", "POST"):
        return False
    accept = b",".join(v for n, v in scope["headers"] if n == b"accept").decode("latin-1")
    return EVENT_STREAM in accept.lower()


def _event(kind: str, data: Mapping[str, Any] | None) -> bytes:
    payload = orjson.dumps(data) if data is not None else b""
    return b"event: " + kind.encode() + b"\ndata: " + payload + b"\n\n"


class SseMiddleware:
    """Serves event-stream requests to ``/graphql`` on ``hub``; passes the rest to ``app``."""

    def __init__(self, app: ASGIApp, hub: SubscriptionHub) -> None:
        self.app = app
        self.hub = hub

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not wants_event_stream(scope):
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        try:
            graphql_request = await _read_request(request)
        except HTTPProblem as problem:
            error = {"message": problem.message, "extensions": {"code": problem.code}}
            await _stream(send, receive, _once({"errors": [error]}), self.hub)
            return
        identity = (scope.get("state") or {}).get("identity")
        if not isinstance(identity, Identity):
            identity = ANONYMOUS
        client = scope.get("client")
        address = f"address:{client[0]}" if client else "address:unknown"
        results = _results(self.hub, graphql_request, identity, address)
        await _stream(send, receive, results, self.hub)


async def _read_request(request: Request) -> GraphQLRequest:
    if request.method == "GET":
        return request_from_query_params(request.query_params.multi_items())
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > _MAX_BODY:
            raise HTTPProblem(413, "PAYLOAD_TOO_LARGE", "The request body is too large.")
    return request_from_body(request.headers.get("content-type"), body)


async def _once(result: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
    yield result


async def _results(
    hub: SubscriptionHub, request: GraphQLRequest, identity: Identity, address: str
) -> AsyncIterator[dict[str, Any]]:
    try:
        async for result in hub.stream(request, identity, address):
            yield result
    except SubscriptionRefused as refused:
        yield {"errors": refused.errors}


async def _stream(
    send: Send, receive: Receive, results: AsyncIterator[dict[str, Any]], hub: SubscriptionHub
) -> None:
    """Send ``results`` as events until they end or the client disconnects."""
    await send({"type": "http.response.start", "status": 200, "headers": _HEADERS})
    sending = asyncio.Lock()

    async def write(chunk: bytes) -> None:
        async with sending:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})

    async def produce() -> None:
        async for result in results:
            await write(_event("next", result))
        await write(_event("complete", None))

    async def heartbeat() -> None:
        while True:
            await asyncio.sleep(hub.limits.heartbeat_seconds)
            await write(b":\n\n")

    async def disconnected() -> None:
        message: Message = {}
        while message.get("type") != "http.disconnect":
            message = await receive()

    tasks = [asyncio.create_task(t) for t in (produce(), heartbeat(), disconnected())]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, OSError):
                await task
        with contextlib.suppress(OSError, RuntimeError):
            await send({"type": "http.response.body", "body": b"", "more_body": False})
