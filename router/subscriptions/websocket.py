"""The ``graphql-transport-ws`` protocol on the router's ``/graphql`` WebSocket.

https://github.com/enisdenjo/graphql-ws/blob/master/PROTOCOL.md: the client sends
``connection_init`` (its credential in the payload: ``Authorization`` or ``X-API-Key``,
as the HTTP headers would carry it) within ``init_timeout_seconds`` (else close 4408), the
router answers ``connection_ack`` (a bad credential: close 4403); then ``subscribe`` /
``next`` / ``error`` / ``complete`` per operation id, ``ping``/``pong`` both ways (the
router pings an idle connection every ``heartbeat_seconds``). Close codes: 4400 invalid
message, 4401 subscribe before the ack, 4409 a duplicate id, 4429 a second init, 1001
router shutdown. More than ``max_per_connection`` operations at once: that operation gets
an ``error`` (``SUBSCRIPTION_LIMIT_REACHED``), the connection stays.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from typing import Any

import orjson
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from router.http_protocol import HTTPProblem, request_from_object
from router.security.identity import Identity
from router.subscriptions.hub import SubscriptionHub, SubscriptionRefused
from router.subscriptions.upstream import PROTOCOL

__all__ = ["CREDENTIAL_KEYS", "WebSocketEndpoint"]

# connection_init payload keys read as credentials (as the HTTP headers of the same name)
CREDENTIAL_KEYS = ("authorization", "x-api-key")


class _Close(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


def _credential_headers(payload: object) -> list[tuple[bytes, bytes]]:
    if not isinstance(payload, Mapping):
        return []
    headers = []
    for key, value in payload.items():
        if isinstance(key, str) and key.lower() in CREDENTIAL_KEYS and isinstance(value, str):
            headers.append((key.lower().encode(), value.encode("latin-1", "replace")))
    return headers


class _Connection:
    def __init__(self, hub: SubscriptionHub, websocket: WebSocket) -> None:
        self.hub = hub
        self.websocket = websocket
        self.identity: Identity | None = None
        self.operations: dict[str, asyncio.Task[None]] = {}
        self.sending = asyncio.Lock()
        client = websocket.client
        self.address = f"address:{client.host}" if client is not None else "address:unknown"

    async def send(self, message: Mapping[str, Any]) -> None:
        async with self.sending:
            if self.websocket.application_state is WebSocketState.CONNECTED:
                await self.websocket.send_text(orjson.dumps(message).decode())

    async def run(self) -> None:
        try:
            await self.initialise()
            heartbeat = asyncio.create_task(self.heartbeat())
            try:
                while True:
                    await self.handle(await self.receive())
            finally:
                heartbeat.cancel()
        except _Close as close:
            await self.close(close.code, close.reason)
        except WebSocketDisconnect:
            pass
        finally:
            for task in self.operations.values():
                task.cancel()
            for task in tuple(self.operations.values()):
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def shut(self) -> None:
        """On shutdown: the operations send their last error (the hub ended them), then the
        connection closes with 1001."""
        for operation in tuple(self.operations.values()):
            with contextlib.suppress(asyncio.CancelledError):
                await operation
        await self.close(1001, "The router is shutting down")

    async def close(self, code: int, reason: str) -> None:
        async with self.sending:
            if self.websocket.application_state is WebSocketState.CONNECTED:
                with contextlib.suppress(RuntimeError, WebSocketDisconnect, OSError):
                    await self.websocket.close(code, reason)

    async def receive(self) -> dict[str, Any]:
        text = await self.websocket.receive_text()
        try:
            message = orjson.loads(text)
        except orjson.JSONDecodeError:
            raise _Close(4400, "Invalid message: not JSON") from None
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            raise _Close(4400, "Invalid message: no type")
        return message

    async def initialise(self) -> None:
        try:
            async with asyncio.timeout(self.hub.limits.init_timeout_seconds):
                message = await self.receive()
        except TimeoutError:
            raise _Close(4408, "Connection initialisation timeout") from None
        if message["type"] != "connection_init":
            raise _Close(4401, "Unauthorized")
        identity = await self.hub.identify(_credential_headers(message.get("payload")))
        if identity is None:
            raise _Close(4403, "Forbidden")
        self.identity = identity
        await self.send({"type": "connection_ack"})

    async def heartbeat(self) -> None:
        while True:
            await asyncio.sleep(self.hub.limits.heartbeat_seconds)
            await self.send({"type": "ping"})

    async def handle(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "ping":
            await self.send({"type": "pong"})
        elif kind == "pong":
            pass
        elif kind == "connection_init":
            raise _Close(4429, "Too many initialisation requests")
        elif kind == "subscribe":
            await self.subscribe(message)
        elif kind == "complete":
            task = self.operations.pop(str(message.get("id")), None)
            if task is not None:
                task.cancel()
        else:
            raise _Close(4400, f"Invalid message type {kind[:40]!r}")

    async def subscribe(self, message: dict[str, Any]) -> None:
        operation_id = message.get("id")
        if not isinstance(operation_id, str) or not operation_id:
            raise _Close(4400, "Invalid message: subscribe needs an id")
        if operation_id in self.operations:
            raise _Close(4409, f"Subscriber for {operation_id[:40]} already exists")
        try:
            request = request_from_object(message.get("payload"))
        except HTTPProblem as problem:
            error = {"message": problem.message, "extensions": {"code": problem.code}}
            await self.send({"id": operation_id, "type": "error", "payload": [error]})
            return
        if len(self.operations) >= self.hub.limits.max_per_connection:
            limit = self.hub.limits.max_per_connection
            error = {
                "message": f"At most {limit} operations at once per connection.",
                "extensions": {"code": "SUBSCRIPTION_LIMIT_REACHED"},
            }
            await self.send({"id": operation_id, "type": "error", "payload": [error]})
            return
        task = asyncio.create_task(self.operate(operation_id, request))
        self.operations[operation_id] = task

    async def operate(self, operation_id: str, request: Any) -> None:
        assert self.identity is not None
        try:
            async for result in self.hub.stream(request, self.identity, self.address):
                await self.send({"id": operation_id, "type": "next", "payload": result})
        except SubscriptionRefused as refused:
            await self.send({"id": operation_id, "type": "error", "payload": refused.errors})
            self.operations.pop(operation_id, None)
            return
        if self.operations.pop(operation_id, None) is not None:
            await self.send({"id": operation_id, "type": "complete"})


class WebSocketEndpoint:
    """The ASGI app of ``/graphql`` WebSockets, served on ``hub``'s router."""

    def __init__(self, hub: SubscriptionHub) -> None:
        self.hub = hub

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        hub = self.hub
        websocket = WebSocket(scope, receive, send)
        if PROTOCOL not in scope.get("subprotocols", ()):
            await websocket.close(4406, "Subprotocol not acceptable")
            return
        if hub.closed:
            await websocket.close(1001, "The router is shutting down")
            return
        await websocket.accept(subprotocol=PROTOCOL)
        connection = _Connection(hub, websocket)
        unregister = hub.on_close(connection.shut)
        try:
            await connection.run()
        finally:
            unregister()
