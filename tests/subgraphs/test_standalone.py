"""Each subgraph runs standalone (``python -m subgraphs serve``) and answers federation's
``_service { sdl }`` and ``_entities`` over real HTTP."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from subgraphs.registry import DOMAINS

# An entity each domain resolves by id, for an id that exists nowhere: the owning domain
# answers null; a domain that only contributes fields to another's entity answers the
# entity with its own (empty) view of it.
ENTITY = {
    "customers": ("Customer", None),
    "products": ("Product", None),
    "orders": ("Order", None),
    "inventory": ("Product", {"__typename": "Product"}),
    "marketing": ("Product", {"__typename": "Product"}),
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def served(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    domain: str = request.param
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'standalone.db'}"}
    process = subprocess.Popen(
        [sys.executable, "-m", "subgraphs", "serve", domain, "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/ready").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail(
                f"{domain} did not start: {process.stderr.read() if process.stderr else ''!r}"
            )
        yield domain, f"{url}/graphql"
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stderr:
            process.stderr.close()


@pytest.mark.parametrize("served", sorted(DOMAINS), indirect=True)
def test_service_sdl_and_entities_over_http(served: tuple[str, str]) -> None:
    domain, url = served
    sdl = httpx.post(url, json={"query": "{ _service { sdl } }"}).json()["data"]["_service"]["sdl"]
    assert '@link(url: "https://specs.apollo.dev/federation/v2' in sdl
    typename, expected = ENTITY[domain]
    # an entity, its access requirement (if any) printed before its key
    assert re.search(rf"^type {typename} (@requiresScopes\([^)]*\) )?@key", sdl, re.M), sdl
    body = httpx.post(
        url,
        json={
            "query": "query($r: [_Any!]!) { _entities(representations: $r) { __typename } }",
            "variables": {"r": [{"__typename": typename, "id": "987654321"}]},
        },
    ).json()
    assert "errors" not in body, body
    assert body["data"]["_entities"] == [expected]


def test_sigterm_shuts_a_subgraph_down_cleanly(tmp_path: Path) -> None:
    """Liveness and readiness answer; SIGTERM closes the pools and exits 0 (uvicorn would
    raise the signal again after its graceful shutdown: exit -15, pools left open)."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'standalone.db'}"}
    command = [sys.executable, "-m", "subgraphs", "serve", "customers", "--port", str(port)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{url}/ready").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        assert httpx.get(f"{url}/health").json() == {"status": "ok", "subgraph": "customers"}
        process.terminate()
        returncode = process.wait(timeout=30)
        log = process.stderr.read().decode(errors="replace") if process.stderr else ""
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stderr:
            process.stderr.close()
    assert returncode == 0, log
    assert "Application shutdown complete" in log


def _children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def test_two_workers_serve_one_port_and_sigterm_stops_both(tmp_path: Path) -> None:
    """``--workers 2``: a master and two processes answer the port; SIGTERM shuts both down
    cleanly and the master exits 0."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'workers.db'}"}
    command = [sys.executable, "-m", "subgraphs", "serve", "customers", "--port", str(port)]
    command += ["--workers", "2"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if (
                    httpx.get(f"{url}/ready").status_code == 200
                    and len(_children(process.pid)) == 2
                ):
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        workers = _children(process.pid)
        assert len(workers) == 2
        body = httpx.post(f"{url}/graphql", json={"query": "{ __typename }"}).json()
        assert body == {"data": {"__typename": "Query"}}
        process.terminate()
        returncode = process.wait(timeout=30)
        log = process.stderr.read().decode(errors="replace") if process.stderr else ""
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stderr:
            process.stderr.close()
    assert returncode == 0, log
    assert log.count("Application shutdown complete") == 2, log
