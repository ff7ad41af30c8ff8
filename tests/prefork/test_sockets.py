"""The listening sockets of a pre-fork server share one port, and never a port taken."""

from __future__ import annotations

import socket

import pytest

from prefork.sockets import reuse_port_sockets


def test_every_socket_listens_on_the_port_the_first_one_got() -> None:
    sockets = reuse_port_sockets("127.0.0.1", 0, 3)
    try:
        ports = {sock.getsockname()[1] for sock in sockets}
        assert len(sockets) == 3 and len(ports) == 1 and ports != {0}
        with socket.create_connection(("127.0.0.1", ports.pop()), timeout=2):
            pass
    finally:
        for sock in sockets:
            sock.close()


def test_a_port_another_server_listens_on_is_refused() -> None:
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        with pytest.raises(OSError):
            reuse_port_sockets("127.0.0.1", other.getsockname()[1], 2)


def test_a_port_another_reuse_port_group_holds_is_refused() -> None:
    """A second router started on the port of one still running must not share it."""
    running = reuse_port_sockets("127.0.0.1", 0, 2)
    try:
        with pytest.raises(OSError):
            reuse_port_sockets("127.0.0.1", running[0].getsockname()[1], 2)
    finally:
        for sock in running:
            sock.close()


def test_no_socket_is_refused() -> None:
    with pytest.raises(ValueError):
        reuse_port_sockets("127.0.0.1", 0, 0)
