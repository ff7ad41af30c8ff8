"""Rate limits across real ``python -m router serve`` processes: two routers share a key's
buckets in a real Redis (exhaustion and refill in real time), and a router whose Redis is
down fails open or closed with a log line and a ``/metrics`` counter. The API key lives in
the test database (SQLite, or PostgreSQL with DATABASE_URL). Ports 7510-7519."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from redis.asyncio import Redis

from models.database import open_database
from router.security.api_keys import ApiKeyStore, IssuedKey
from router.security.identity import RateQuota

REPOSITORY = Path(__file__).resolve().parents[2]
SUPERGRAPH = REPOSITORY / "tests/fixtures/fleet/supergraph.graphql"
REDIS_URL = "redis://127.0.0.1:6379/0"
CLOSED_REDIS_URL = "redis://127.0.0.1:7519/0"  # nothing listens there
QUERY = {"query": "{ __typename }"}  # answered by the router itself: no subgraph needed


@dataclass(frozen=True, slots=True)
class Served:
    url: str
    log: Path

    def post(self, key: str | None = None) -> httpx.Response:
        headers = {"x-api-key": key} if key else {}
        return httpx.post(f"{self.url}/graphql", json=QUERY, headers=headers, trust_env=False)

    def metric(self, name: str) -> int:
        text = httpx.get(f"{self.url}/metrics", trust_env=False).text
        (line,) = [line for line in text.splitlines() if line.startswith(name + " ")]
        return int(float(line.split()[1]))


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite+aiosqlite:///{tmp_path / 'keys.db'}"


@pytest.fixture
async def redis_prefix() -> AsyncIterator[str]:
    redis = Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        await redis.ping()
    except OSError:
        await redis.aclose()
        pytest.skip("no Redis on 127.0.0.1:6379 (.ci/run starts one)")
    prefix = f"test:ratelimit:{uuid.uuid4().hex}:"
    yield prefix
    keys = [key async for key in redis.scan_iter(match=prefix + "*")]
    if keys:
        await redis.delete(*keys)
    await redis.aclose()


async def issue_key(database_url: str, quota: RateQuota | None) -> IssuedKey:
    store = ApiKeyStore(open_database(database_url))
    try:
        await store.create_tables()
        return await store.create(f"partner-{uuid.uuid4().hex[:8]}", [], rate_limit=quota)
    finally:
        await store.database.dispose()


def write_config(path: Path, database_url: str, rate_limits: str) -> Path:
    path.write_text(
        "identity_propagation:\n  secret: " + "s" * 40 + "\n"
        f"api_keys:\n  enabled: true\n  database_url: {database_url}\n"
        "rate_limits:\n  enabled: true\n" + rate_limits,
        encoding="utf-8",
    )
    return path


@contextlib.contextmanager
def routers(directory: Path, configs: Sequence[tuple[Path, int]]) -> Iterator[list[Served]]:
    """One ``serve`` process per (router.yaml, port), started together, stopped on exit."""
    processes: list[subprocess.Popen[bytes]] = []
    served = []
    environment = {**os.environ, "OPS_MODE": ""}
    try:
        for config, port in configs:
            log = directory / f"router-{port}.log"
            command = [sys.executable, "-m", "router", "serve", "--supergraph", str(SUPERGRAPH)]
            command += ["--config", str(config), "--port", str(port), "--no-access-log"]
            command += ["--workers", "1"]  # one process: its /metrics are the counters
            with log.open("wb") as stderr:
                processes.append(
                    subprocess.Popen(command, cwd=REPOSITORY, stderr=stderr, env=environment)
                )
            served.append(Served(f"http://127.0.0.1:{port}", log))
        for process, server in zip(processes, served, strict=True):
            _wait_until_healthy(server, process)
        yield served
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=10)


def _wait_until_healthy(server: Served, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, server.log.read_text(errors="replace")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{server.url}/health", trust_env=False).status_code == 200:
                return
        time.sleep(0.1)
    raise TimeoutError(f"{server.url} never became healthy")


async def test_two_router_processes_share_a_keys_buckets_in_redis(
    tmp_path: Path, database_url: str, redis_prefix: str
) -> None:
    """The key allows a burst of 3 and one request per 4 s, whichever router it calls."""
    key = (await issue_key(database_url, RateQuota(3, 0.25))).key
    rate_limits = f"  redis_url: {REDIS_URL}\n  key_prefix: '{redis_prefix}'\n"
    configs = [
        (write_config(tmp_path / f"router-{port}.yaml", database_url, rate_limits), port)
        for port in (7510, 7511)
    ]
    with routers(tmp_path, configs) as (one, two):
        assert [one.post(key).status_code, two.post(key).status_code] == [200, 200]
        assert one.post(key).status_code == 200
        refused = two.post(key)
        assert refused.status_code == 429
        assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        assert refused.headers["retry-after"] == "4"
        assert one.post(key).status_code == 429
        assert one.post().status_code == 200  # anonymous: no bucket in router.yaml
        time.sleep(4.1)  # one token back, for both routers
        assert two.post(key).status_code == 200
        assert one.post(key).status_code == 429
        refusals = [server.metric("router_rate_limited_total") for server in (one, two)]
        assert refusals == [2, 1]
        assert one.metric("router_rate_limit_redis_errors_total") == 0


@pytest.mark.parametrize(("mode", "status"), [("open", 200), ("closed", 503)])
def test_a_router_process_with_redis_down_fails_open_or_closed(
    tmp_path: Path, database_url: str, mode: str, status: int
) -> None:
    rate_limits = (
        "  per_client: {capacity: 1, refill_per_second: 1}\n"
        f"  redis_url: {CLOSED_REDIS_URL}\n  on_redis_error: {mode}\n"
        "  redis_timeout_seconds: 0.2\n"
    )
    config = write_config(tmp_path / "router.yaml", database_url, rate_limits)
    with routers(tmp_path, [(config, 7512)]) as (router,):
        responses = [router.post() for _ in range(3)]
        assert [response.status_code for response in responses] == [status] * 3
        if mode == "closed":
            body = responses[0].json()
            assert body["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
            assert responses[0].headers["retry-after"] == "1"
        else:
            assert responses[0].json() == {"data": {"__typename": "Query"}}
        assert router.metric("router_rate_limit_redis_errors_total") == 3
        log = router.log.read_text(errors="replace")
    warnings = [line for line in log.splitlines() if "Redis unreachable" in line]
    assert len(warnings) == 1 and f"failing {mode}" in warnings[0], log  # once per outage
    assert "Traceback" not in log
