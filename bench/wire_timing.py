"""When the router's subgraph requests were on the wire, seen at the socket.

An event loop whose outgoing connections are timed: a request's wire interval runs from
its first byte written to the last byte of its response received. It works under any
client built on ``loop.create_connection`` (asyncio streams, httpx/anyio), so the router is
measured with the HTTP client it really uses. Everything the router does outside those
intervals, including building requests and parsing responses, is router overhead.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any, cast

__all__ = ["WireTimingLoop", "busy_time"]


def busy_time(intervals: list[tuple[float, float]]) -> float:
    """Length of the union of ``intervals``."""
    total, covered_until = 0.0, float("-inf")
    for start, end in sorted(intervals):
        if end <= covered_until:
            continue
        total += end - max(start, covered_until)
        covered_until = end
    return total


class _Connection:
    """The timing state of one connection: open interval plus the completed ones."""

    def __init__(self) -> None:
        self.peer = ""  # "host:port" once connected
        self.first_write: float | None = None
        self.last_read: float | None = None
        self.intervals: list[tuple[float, float]] = []

    def close_interval(self) -> None:
        start, end = self.first_write, self.last_read
        if start is not None and end is not None and end > start:
            self.intervals.append((start, end))
            self.first_write = self.last_read = None

    def wrote(self) -> None:
        self.close_interval()
        if self.first_write is None:
            self.first_write = time.perf_counter()

    def read(self) -> None:
        self.last_read = time.perf_counter()


class _TimedTransport:
    """Delegates to the loop's transport; notes when the protocol writes."""

    def __init__(self, inner: asyncio.BaseTransport, connection: _Connection) -> None:
        self._inner = inner
        self._connection = connection

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self._connection.wrote()
        self._inner.write(data)  # type: ignore[attr-defined]

    def writelines(self, chunks: Any) -> None:
        self._connection.wrote()
        self._inner.writelines(chunks)  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _timed(protocol: asyncio.BaseProtocol, connection: _Connection) -> asyncio.BaseProtocol:
    """Instrument ``protocol`` in place: it sees a timing transport, its reads are noted."""
    connection_made = protocol.connection_made
    protocol.connection_made = lambda transport: connection_made(  # type: ignore[method-assign]
        _TimedTransport(transport, connection)  # type: ignore[arg-type]
    )
    for name in ("data_received", "buffer_updated"):
        received = getattr(protocol, name, None)
        if received is not None:
            setattr(protocol, name, _noting(received, connection))
    return protocol


def _noting(received: Callable[..., None], connection: _Connection) -> Callable[..., None]:
    def note(*args: Any) -> None:
        connection.read()
        received(*args)

    return note


class WireTimingLoop(asyncio.SelectorEventLoop):
    """A selector event loop that times every TCP connection opened from it."""

    def __init__(self) -> None:
        super().__init__()
        self.connections: list[_Connection] = []

    async def create_connection(  # type: ignore[override]
        self, protocol_factory: Callable[[], asyncio.BaseProtocol], *args: Any, **kwargs: Any
    ) -> tuple[asyncio.Transport, asyncio.BaseProtocol]:
        connection = _Connection()
        self.connections.append(connection)
        transport, protocol = await super().create_connection(
            lambda: _timed(protocol_factory(), connection), *args, **kwargs
        )
        host, port = transport.get_extra_info("peername")[:2]
        connection.peer = f"{host}:{port}"
        # Callers write through what this returns (asyncio streams, anyio), protocols
        # through what connection_made gave them: both are timing proxies.
        return cast("asyncio.Transport", _TimedTransport(transport, connection)), protocol

    def take_intervals(self) -> list[tuple[str, float, float]]:
        """The wire intervals completed since the last call, as (peer, start, end)."""
        taken = []
        for connection in self.connections:
            connection.close_interval()
            taken += [(connection.peer, start, end) for start, end in connection.intervals]
            connection.intervals = []
        return taken
