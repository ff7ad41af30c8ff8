"""Graceful shutdown of a real ``python -m router serve`` process: SIGTERM while a slow
request is in flight; the request completes, new connections are refused, the pools are
closed and the process exits 0. And SIGHUP reloads the supergraph file."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx

from router.graceful_shutdown import grace_period
from tests.router.flaky_subgraph import FlakySubgraph, free_port, running
from tests.router.test_supergraph_reload import V1, V2

REPOSITORY = Path(__file__).resolve().parents[2]


async def until(condition: object, what: str, turns: int = 2000) -> None:
    """Poll ``condition()`` every 10 ms, a bounded number of times."""
    for _ in range(turns):
        if condition():  # type: ignore[operator]
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"never happened: {what}")


@asynccontextmanager
async def router_process(
    subgraph: FlakySubgraph, supergraph: Path, log: Path, *extra: str
) -> AsyncIterator[tuple[asyncio.subprocess.Process, str]]:
    port = free_port()
    command = [sys.executable, "-m", "router", "serve", "--supergraph", str(supergraph)]
    command += ["--port", str(port), "--subgraph-url", f"a={subgraph.url}", *extra]
    with log.open("wb") as stderr:
        process = await asyncio.create_subprocess_exec(*command, cwd=REPOSITORY, stderr=stderr)
    base_url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base_url, trust_env=False) as client:
            for _ in range(1200):  # a minute of polls at most: start-up on a busy machine
                assert process.returncode is None, log.read_text(errors="replace")
                try:
                    if (await client.get("/health")).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.05)
            else:
                raise AssertionError(f"the router never answered: {log.read_text()}")
        yield process, base_url
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def refuses_connections(port: int) -> bool:
    try:
        _reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except ConnectionRefusedError:
        return True
    writer.close()
    return False


async def test_sigterm_finishes_the_request_in_flight_then_exits_0(tmp_path: Path) -> None:
    supergraph = tmp_path / "schema.graphql"
    supergraph.write_text(V1, encoding="utf-8")
    log = tmp_path / "router.log"
    async with running(FlakySubgraph()) as subgraph:
        subgraph.plan = ["hold"]
        async with router_process(subgraph, supergraph, log) as (process, base_url):
            port = int(base_url.rsplit(":", 1)[1])
            async with httpx.AsyncClient(base_url=base_url, trust_env=False) as client:
                slow = asyncio.create_task(client.post("/graphql", json={"query": "{ n }"}))
                await until(lambda: subgraph.holding == 1, "the request reached the subgraph")
                process.send_signal(signal.SIGTERM)
                refused = False
                for _ in range(500):
                    refused = await refuses_connections(port)
                    if refused:
                        break
                    await asyncio.sleep(0.01)
                assert refused, "the router still accepts connections after SIGTERM"
                assert not slow.done()
                subgraph.release.set()
                response = await slow
            returncode = await asyncio.wait_for(process.wait(), 60)
    assert response.status_code == 200
    assert response.json() == {"data": {"n": 1}}
    text = log.read_text(errors="replace")
    assert returncode == 0, text
    assert "Application shutdown complete" in text


async def test_sighup_reloads_the_supergraph(tmp_path: Path) -> None:
    supergraph = tmp_path / "schema.graphql"
    supergraph.write_text(V1, encoding="utf-8")
    log = tmp_path / "router.log"
    async with running(FlakySubgraph()) as subgraph:
        subgraph.fields["extra"] = 5
        options = ("--reload-poll-seconds", "0")  # SIGHUP only
        async with router_process(subgraph, supergraph, log, *options) as (process, base_url):
            async with httpx.AsyncClient(base_url=base_url, trust_env=False) as client:
                before = (await client.post("/graphql", json={"query": "{ extra }"})).json()
                assert before["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
                supergraph.write_text(V2, encoding="utf-8")
                process.send_signal(signal.SIGHUP)
                for _ in range(500):
                    after = (await client.post("/graphql", json={"query": "{ extra }"})).json()
                    if "errors" not in after:
                        break
                    await asyncio.sleep(0.01)
            process.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(process.wait(), 60) == 0
    assert after == {"data": {"extra": 5}}
    assert "supergraph reloaded" in log.read_text(errors="replace")


def test_the_grace_period_is_whole_seconds_at_least_one() -> None:
    assert [grace_period(s) for s in (0.2, 1, 1.5, 30)] == [1, 1, 2, 30]
