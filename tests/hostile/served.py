"""The Python fleet and ``python -m router serve`` as separate processes (ports 15500-15513)."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.fleet.apps import fleet_urls

__all__ = ["ROUTER_PORT", "Served", "served"]

REPOSITORY = Path(__file__).resolve().parents[2]
SUPERGRAPH = REPOSITORY / "tests/fixtures/fleet/supergraph.graphql"
ROUTER_PORT = 15500
FLEET_PORT = 15510


@dataclass(frozen=True, slots=True)
class Served:
    url: str
    log: Path


@contextlib.contextmanager
def served(directory: Path, router_arguments: Sequence[str] = ()) -> Iterator[Served]:
    """The fleet, then the router over it; both stopped on exit."""
    fleet = subprocess.Popen(
        [sys.executable, "-m", "tests.fleet", "--base-port", str(FLEET_PORT)],
        cwd=REPOSITORY,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    router: subprocess.Popen[bytes] | None = None
    try:
        assert fleet.stdout is not None
        assert fleet.stdout.readline().startswith(b"READY"), "the fleet did not start"
        command = [sys.executable, "-m", "router", "serve", "--supergraph", str(SUPERGRAPH)]
        command += ["--port", str(ROUTER_PORT), "--log-level", "debug", "--no-access-log"]
        command += ["--workers", "1"]  # the CPU measured is the serving process's
        for name, url in fleet_urls(FLEET_PORT).items():
            command += ["--subgraph-url", f"{name}={url}"]
        log = directory / "router.log"
        with log.open("wb") as stderr:
            router = subprocess.Popen([*command, *router_arguments], cwd=REPOSITORY, stderr=stderr)
        url = f"http://127.0.0.1:{ROUTER_PORT}"
        _wait_until_healthy(url, router, log)
        yield Served(url, log)
    finally:
        for process in (router, fleet):
            if process is not None:
                process.terminate()
                process.wait(timeout=10)
        if fleet.stdout is not None:
            fleet.stdout.close()


def _wait_until_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the router exited: {log.read_text(errors='replace')}"
        try:
            if httpx.get(f"{url}/health", trust_env=False).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise TimeoutError("the router never became healthy")
