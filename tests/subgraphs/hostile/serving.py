"""Serve an ASGI app with uvicorn on a real port inside the test's event loop (lifespan,
client disconnects and readiness only exist there)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from starlette.types import ASGIApp

__all__ = ["PORTS", "served"]

# This suite's ports (15600-15699 belong to it).
PORTS = {
    "disconnect": 15610,
    "readiness": 15611,
    "awaiting_disconnect": 15612,
    "postgres_relay": 15620,
}


@asynccontextmanager
async def served(app: ASGIApp, port: int) -> AsyncIterator[str]:
    """``app`` listening on 127.0.0.1:``port``; yields its base URL."""
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError("the server stopped before it started")
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
