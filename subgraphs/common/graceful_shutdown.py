"""Graceful shutdown of a subgraph process on SIGTERM: stop accepting, finish the requests
in flight (at most the grace period, then they are cancelled), then close the database
pool, the peers' client and the bus (``subgraphs.serving``), and exit 0.

uvicorn (0.29 and later) raises the signal again once it has shut down, which would kill
the process before the pools are closed; :class:`GracefulServer` keeps a handled signal
handled. (The router has the same class in ``router.graceful_shutdown``: neither side
imports the other.)
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator

import uvicorn

__all__ = ["DEFAULT_GRACE_SECONDS", "GracefulServer", "grace_period"]

DEFAULT_GRACE_SECONDS = 30.0


def grace_period(seconds: float) -> int:
    """uvicorn's ``timeout_graceful_shutdown`` takes whole seconds."""
    return max(1, math.ceil(seconds))


class GracefulServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        with super().capture_signals():
            try:
                yield
            finally:
                self._captured_signals.clear()
