"""A real HTTP/1.1 server on a local port that answers, drops or half-answers each request
as told, counting the connections it accepted and the request bodies it read."""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import orjson

__all__ = ["FlakySubgraph", "free_port", "running"]

# the ports this suite's servers may use
PORTS = range(7950, 8000)
_CONTENT_LENGTH = re.compile(rb"content-length:\s*(\d+)", re.IGNORECASE)


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 7950-7999")


class FlakySubgraph:
    """``plan`` holds one action per request to come: ``drop`` (close without a byte),
    ``partial`` (a status line and half a body, then close), ``hold`` (answer once
    ``release`` is set) or ``answer``; once it is empty, every request is answered
    ``{"data": {"n": <request number>, "__typename": "Query", **fields}}`` (whatever it
    asked)."""

    def __init__(self) -> None:
        self.plan: list[str] = []
        self.connections = 0
        self.bodies: list[bytes] = []
        self.port = 0
        self.release = asyncio.Event()
        self.holding = 0
        self.fields: dict[str, object] = {"__typename": "Query"}
        self.handlers: set[asyncio.Task[None]] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/graphql"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        task = asyncio.current_task()
        assert task is not None
        self.handlers.add(task)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                found = _CONTENT_LENGTH.search(head)
                self.bodies.append(await reader.readexactly(int(found.group(1)) if found else 0))
                action = self.plan.pop(0) if self.plan else "answer"
                if action == "drop":
                    return
                if action == "hold":
                    self.holding += 1
                    await self.release.wait()
                body = orjson.dumps({"data": {"n": len(self.bodies), **self.fields}})
                status = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                if action == "partial":
                    writer.write(b"%scontent-length: %d\r\n\r\n%s" % (status, len(body), body[:3]))
                    await writer.drain()
                    return
                writer.write(b"%scontent-length: %d\r\n\r\n%s" % (status, len(body), body))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            return
        finally:
            writer.close()


@asynccontextmanager
async def running(subgraph: FlakySubgraph) -> AsyncIterator[FlakySubgraph]:
    subgraph.port = free_port()
    server = await asyncio.start_server(subgraph.handle, "127.0.0.1", subgraph.port)
    try:
        yield subgraph
    finally:
        server.close()
        for handler in subgraph.handlers:
            handler.cancel()
        await asyncio.gather(*subgraph.handlers, return_exceptions=True)
        await server.wait_closed()
