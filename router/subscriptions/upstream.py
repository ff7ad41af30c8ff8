"""The router's side of a subgraph subscription: ``graphql-transport-ws`` over a WebSocket
to the subgraph's ``/graphql`` (``http`` -> ``ws``), one connection per subscription (as
Apollo Router's passthrough mode), with the caller's signed identity in the handshake.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

import orjson
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException
from websockets.typing import Subprotocol

__all__ = ["PROTOCOL", "UpstreamError", "subscribe_upstream", "websocket_url"]

PROTOCOL = "graphql-transport-ws"
_OPERATION_ID = "1"


class UpstreamError(Exception):
    """The subgraph's subscription could not be opened, or its connection was lost."""


def websocket_url(url: str) -> str:
    if url.startswith("https://"):
        return "wss://" + url.removeprefix("https://")
    if url.startswith("http://"):
        return "ws://" + url.removeprefix("http://")
    return url


async def subscribe_upstream(
    url: str,
    query: str,
    variables: Mapping[str, Any],
    headers: Sequence[tuple[str, str]],
    *,
    open_timeout: float = 10.0,
) -> AsyncIterator[dict[str, Any]]:
    """Each ``next`` payload of the subgraph's subscription until it completes; an
    ``error`` message is yielded as ``{"errors": [...]}`` and ends it. ``UpstreamError``
    when it cannot open or the connection drops before ``complete``."""
    try:
        async with connect(
            websocket_url(url),
            subprotocols=[Subprotocol(PROTOCOL)],
            additional_headers=list(headers),
            open_timeout=open_timeout,
            compression=None,
            proxy=None,
        ) as websocket:
            await _initialise(websocket, open_timeout)
            payload: dict[str, Any] = {"query": query}
            if variables:
                payload["variables"] = dict(variables)
            await _send(websocket, {"id": _OPERATION_ID, "type": "subscribe", "payload": payload})
            try:
                async for message in _messages(websocket):
                    yield message
            finally:
                with contextlib.suppress(WebSocketException, OSError):
                    await _send(websocket, {"id": _OPERATION_ID, "type": "complete"})
    except (WebSocketException, OSError, TimeoutError) as error:
        raise UpstreamError(f"{type(error).__name__}: {error}") from None


async def _initialise(websocket: ClientConnection, timeout: float) -> None:
    await _send(websocket, {"type": "connection_init", "payload": {}})
    async with asyncio.timeout(timeout):
        while True:
            message = orjson.loads(await websocket.recv())
            if message.get("type") == "connection_ack":
                return
            if message.get("type") == "ping":
                await _send(websocket, {"type": "pong"})


async def _messages(websocket: ClientConnection) -> AsyncIterator[dict[str, Any]]:
    async for raw in websocket:
        message = orjson.loads(raw)
        kind = message.get("type")
        if kind == "ping":
            await _send(websocket, {"type": "pong"})
        elif kind == "next" and message.get("id") == _OPERATION_ID:
            payload = message.get("payload")
            yield payload if isinstance(payload, dict) else {}
        elif kind == "error" and message.get("id") == _OPERATION_ID:
            errors = message.get("payload")
            yield {"data": None, "errors": errors if isinstance(errors, list) else []}
            return
        elif kind == "complete" and message.get("id") == _OPERATION_ID:
            return
    raise UpstreamError("the subgraph closed the connection before completing")


async def _send(websocket: ClientConnection, message: Mapping[str, Any]) -> None:
    await websocket.send(orjson.dumps(message).decode())
