"""Running the app under uvicorn with limits on what a connection may hold.

uvicorn closes an idle keep-alive connection after ``timeout_keep_alive`` but waits forever
for request headers: a client that opens connections and sends half a request line pins
a socket and a protocol object each (300 of them were never closed). :class:`HeaderTimeout`
closes a connection whose request headers are not complete ``header_timeout`` seconds
after it opened or after its previous response; the app bounds the body
(``create_app(body_timeout=...)``). ``limit_concurrency`` answers 503 beyond that many
connections and requests in flight.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import sys
from dataclasses import dataclass
from typing import Any

import uvicorn
from starlette.types import ASGIApp
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from router.graceful_shutdown import GracefulServer, grace_period

__all__ = ["HeaderTimeout", "ServerLimits", "serve", "uvicorn_config"]

_logger = logging.getLogger(__name__)
_HEADER_TIMEOUT = 10.0


@dataclass(frozen=True, slots=True)
class ServerLimits:
    # seconds from connection (or from the previous response) to complete request headers
    header_timeout: float = _HEADER_TIMEOUT
    # seconds an idle keep-alive connection stays open
    keep_alive_timeout: float = 5.0
    # connections and requests in flight before new ones get 503
    max_concurrency: int = 1000
    # on SIGTERM, seconds the requests in flight may take to finish (router.graceful_shutdown)
    shutdown_grace: float = 30.0


class HeaderTimeout(HttpToolsProtocol):
    """uvicorn's httptools protocol with a deadline for the request headers."""

    header_timeout: float = _HEADER_TIMEOUT

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def _arm(self) -> None:
        self._disarm()
        self._header_timer = self.loop.call_later(self.header_timeout, self._expired)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _expired(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            _logger.debug("closing %s: no complete request headers in time", self.client)
            self.transport.close()


def uvicorn_config(
    app: ASGIApp, host: str, port: int, limits: ServerLimits, **options: Any
) -> uvicorn.Config:
    """A uvicorn config over :class:`HeaderTimeout` with ``limits``."""

    class Protocol(HeaderTimeout):
        header_timeout = limits.header_timeout

    return uvicorn.Config(
        app,
        host=host,
        port=port,
        http=Protocol,
        ws="auto",  # /graphql subscriptions over a WebSocket (router.subscriptions)
        timeout_keep_alive=int(max(1, limits.keep_alive_timeout)),
        limit_concurrency=limits.max_concurrency,
        timeout_graceful_shutdown=grace_period(limits.shutdown_grace),
        **options,
    )


# How long a thread may hold the GIL before another may run (Python's default is 5 ms).
# Costly documents are planned in a worker thread; a shorter slice lets the event loop
# answer in between (/health p99 during a 1,200-fragment document, measured here with
# tests/hostile: 37-43 ms with the default, 8-11 ms with this).
SWITCH_INTERVAL_SECONDS = 0.001


def serve(
    app: ASGIApp,
    host: str,
    port: int,
    limits: ServerLimits,
    *,
    sock: socket.socket | None = None,
    **options: Any,
) -> None:
    """Serve ``app`` on ``host:port``, or on ``sock`` already listening (a worker of
    ``serve --workers``, :mod:`prefork`)."""
    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
    server = GracefulServer(uvicorn_config(app, host, port, limits, **options))
    server.run(sockets=None if sock is None else [sock])
