"""``ops-platform dev`` as a user runs it: Ctrl-C, a second copy on a busy port, and a
web app's CORS preflight over a real socket."""

from __future__ import annotations

import signal
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.dev_platform import REPOSITORY, DevProcess, dev_command, free_port, start_dev_platform
from tests.project_access import DEV_PROCESS_STAFF_HEADERS

PORTS = range(15710, 15720)


@pytest.fixture(scope="module")
def dev(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevProcess]:
    with start_dev_platform(tmp_path_factory.mktemp("dev"), free_port(PORTS)) as dev:
        yield dev


def test_a_busy_port_is_one_line_naming_it_before_anything_else(tmp_path: Path) -> None:
    port = free_port(PORTS)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        database = tmp_path / "never.db"
        result = subprocess.run(
            dev_command(port),
            cwd=REPOSITORY,
            env={"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite+aiosqlite:///{database}"},
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert result.stdout == ""  # no URL banner for a platform that is not serving
    assert result.stderr.splitlines() == [
        f"ops-platform: port {port} on 127.0.0.1 is already in use "
        "(is another `make demo` running?)"
    ]
    assert not database.exists()  # nothing seeded either


def test_a_real_cors_preflight_from_a_localhost_web_app(dev: DevProcess) -> None:
    origin = "http://localhost:3000"
    preflight = httpx.options(
        f"{dev.url}/graphql",
        headers={
            "origin": origin,
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type,authorization",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == origin
    answer = httpx.post(
        f"{dev.url}/graphql",
        json={"query": '{ customer(id: "3") { id } }'},
        headers={"origin": origin, **DEV_PROCESS_STAFF_HEADERS},
    )
    assert answer.json() == {"data": {"customer": {"id": "3"}}}
    assert answer.headers["access-control-allow-origin"] == origin
    refused = httpx.options(
        f"{dev.url}/graphql",
        headers={"origin": "https://elsewhere.example", "access-control-request-method": "POST"},
    )
    assert "access-control-allow-origin" not in refused.headers


def test_ctrl_c_stops_cleanly(dev: DevProcess) -> None:  # last: it stops the platform
    assert httpx.get(f"{dev.url}/health").status_code == 200
    code, printed = dev.stop(signal.SIGINT)
    assert code == 0, printed
    assert "Traceback" not in printed
    assert "CancelledError" not in printed and "KeyboardInterrupt" not in printed
    assert printed.rstrip().endswith("ops-platform: stopped")
