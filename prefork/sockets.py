"""The listening sockets of a pre-fork server: one per worker slot, all bound to the same
port with ``SO_REUSEPORT``.

Why one socket per slot rather than one socket shared by every worker: an event loop that
wakes up for a shared socket accepts every connection waiting (asyncio and libuv accept in a
loop until the queue is empty), so a burst of keep-alive connections lands on whichever
worker woke first and stays there. With one socket per worker the kernel spreads the
connections over the sockets by a hash of their addresses. The master keeps every socket
open, so when a worker dies the connections queued on its socket wait for the replacement
instead of being reset with the socket. Linux lets only processes of the same user join a
``SO_REUSEPORT`` group.
"""

from __future__ import annotations

import socket

__all__ = ["DEFAULT_BACKLOG", "reuse_port_sockets"]

DEFAULT_BACKLOG = 2048


def reuse_port_sockets(
    host: str, port: int, count: int, backlog: int = DEFAULT_BACKLOG
) -> list[socket.socket]:
    """``count`` listening sockets on ``host:port`` (port 0: one port the system picks, the
    same for all). Raises OSError when the port is taken by something else."""
    if count < 1:
        raise ValueError(f"at least one socket is needed, not {count}")
    port = _free_port(host, port)
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            sockets.append(_listen(host, port, backlog, reuse_port=True))
    except OSError:
        for sock in sockets:
            sock.close()
        raise
    return sockets


def _free_port(host: str, port: int) -> int:
    """``port`` (or the one the system picks for 0) after checking that nothing listens on
    it: a probe without ``SO_REUSEPORT`` fails on a port another server (even another
    ``SO_REUSEPORT`` group, such as a router still running) holds, where the group's
    sockets would silently share it."""
    with _listen(host, port, 1, reuse_port=False) as probe:
        return int(probe.getsockname()[1])


def _listen(host: str, port: int, backlog: int, *, reuse_port: bool) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
        sock.listen(backlog)
        sock.set_inheritable(True)
    except OSError:
        sock.close()
        raise
    return sock
