"""Several uvicorn servers in one process: ports bound up front, one clean stop.

The development platform serves the router and every subgraph from one event loop. Two
things a user sees are handled here rather than left to uvicorn:

* every port is bound before anything is printed or seeded, so a second ``make demo``
  stops at once with one line naming the busy port (:class:`PortInUse`), not after the
  URL banner with four ``address already in use`` errors;
* Ctrl-C (SIGINT) or SIGTERM asks every server to finish its requests and stop, and the
  command ends with a short message: uvicorn's own signal capture re-raises the signal
  after shutting down, which surfaced as a KeyboardInterrupt/CancelledError traceback.
  A second Ctrl-C forces the exit.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import signal
import socket
from collections.abc import Iterator, Sequence

import uvicorn

__all__ = ["PortInUse", "QuietServer", "bind", "serve_until_stopped"]


class PortInUse(OSError):
    """Another process is listening on the port."""


def bind(host: str, port: int) -> socket.socket:
    """A bound (not yet listening) TCP socket; :class:`PortInUse` names a busy port."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE:
            raise PortInUse(
                f"port {port} on {host} is already in use (is another `make demo` running?)"
            ) from None
        raise
    sock.set_inheritable(True)
    return sock


class QuietServer(uvicorn.Server):
    """A uvicorn server that leaves signals to :func:`serve_until_stopped`."""

    def __init__(self, config: uvicorn.Config, sock: socket.socket) -> None:
        """``config``'s host and port are ignored: the server listens on ``sock``."""
        super().__init__(config)
        self.socket = sock

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def serve_until_stopped(servers: Sequence[QuietServer]) -> None:
    """Serve until SIGINT/SIGTERM (or until one server stops by itself)."""
    loop = asyncio.get_running_loop()

    def stop() -> None:
        for server in servers:
            if server.should_exit:
                server.force_exit = True
            server.should_exit = True

    handled = (signal.SIGINT, signal.SIGTERM)
    for signum in handled:
        loop.add_signal_handler(signum, stop)
    try:
        await asyncio.gather(*(server.serve(sockets=[server.socket]) for server in servers))
    finally:
        for signum in handled:
            loop.remove_signal_handler(signum)
