"""Graceful shutdown on SIGTERM (and Ctrl-C): stop accepting, finish what is in flight,
close the pools, exit 0.

uvicorn already stops listening, closes idle keep-alive connections, waits for the requests
in flight (at most ``grace_seconds``, then cancels them) and runs the lifespan shutdown,
where the app closes its subgraph pools. Since 0.29 it then raises the signal again, so a
process stopped cleanly dies of SIGTERM (exit status 143, and nothing after ``serve()``
runs); :class:`GracefulServer` keeps the clean exit a clean exit.
"""

from __future__ import annotations

import contextlib
import math
import socket
from collections.abc import Iterator
from typing import Protocol

import uvicorn

__all__ = ["GracefulServer", "grace_period"]


def grace_period(seconds: float) -> int:
    """uvicorn's ``timeout_graceful_shutdown`` takes whole seconds."""
    return max(1, math.ceil(seconds))


class _Subscriptions(Protocol):
    async def aclose(self) -> None: ...


class GracefulServer(uvicorn.Server):
    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        """Open subscriptions end first with their last message (``router.subscriptions``):
        uvicorn would otherwise drop their WebSockets (1012) before the app's lifespan."""
        state = getattr(self.config.app, "state", None)
        hub: _Subscriptions | None = getattr(state, "subscriptions", None)
        if hub is not None:
            await hub.aclose()
        await super().shutdown(sockets)

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        with super().capture_signals():
            try:
                yield
            finally:
                # handled: the shutdown was graceful, do not die of the signal afterwards
                self._captured_signals.clear()
