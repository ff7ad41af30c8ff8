"""Run the servers on uvloop when it is installed (it comes with ``uvicorn[standard]``).

``uvicorn.run`` picks uvloop by itself, but a server started with ``Server.serve()`` inside
``asyncio.run`` (several servers in one process, or a client opened around the server)
gets the stock loop unless asked: the subgraphs spent 20-39% of their samples in the
stock loop's socket writes under load.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

__all__ = ["run"]

T = TypeVar("T")


def run(main: Coroutine[Any, Any, T]) -> T:
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is part of uvicorn[standard]
        return asyncio.run(main)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(main)
