"""``python -m router serve --workers 2`` as real processes: a master and two workers on one
port, each answering (its pid in ``/health``); a worker killed is replaced; SIGTERM stops
every worker and the master exits 0."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import httpx

from tests.router.flaky_subgraph import FlakySubgraph, running
from tests.router.test_graceful_shutdown import refuses_connections, router_process, until
from tests.router.test_supergraph_reload import V1, V2


async def _pids_answering(base_url: str, wanted: int, attempts: int = 200) -> set[int]:
    """The pids of the workers answering new connections, until ``wanted`` are seen."""
    seen: set[int] = set()
    for _ in range(attempts):
        async with httpx.AsyncClient(base_url=base_url, trust_env=False) as client:
            response = await client.get("/health")  # a new connection each time
        seen.add(response.json()["pid"])
        if len(seen) >= wanted:
            break
    return seen


def _parent_of(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[1])


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def test_two_workers_answer_on_one_port_and_sigterm_stops_them_all(tmp_path: Path) -> None:
    supergraph = tmp_path / "schema.graphql"
    supergraph.write_text(V1, encoding="utf-8")
    async with running(FlakySubgraph()) as subgraph:
        extra = ("--workers", "2")
        async with router_process(subgraph, supergraph, tmp_path / "log", *extra) as (
            process,
            base_url,
        ):
            workers = await _pids_answering(base_url, 2)
            assert len(workers) == 2 and process.pid not in workers
            assert {_parent_of(pid) for pid in workers} == {process.pid}
            async with httpx.AsyncClient(base_url=base_url, trust_env=False) as client:
                answer = await client.post("/graphql", json={"query": "{ n }"})
            assert answer.status_code == 200 and "data" in answer.json()

            process.send_signal(signal.SIGTERM)
            assert await process.wait() == 0
            assert not any(_alive(pid) for pid in workers)
            assert await refuses_connections(int(base_url.rsplit(":", 1)[1]))


async def test_a_worker_that_dies_is_replaced(tmp_path: Path) -> None:
    supergraph = tmp_path / "schema.graphql"
    supergraph.write_text(V1, encoding="utf-8")
    log = tmp_path / "log"
    async with (
        running(FlakySubgraph()) as subgraph,
        router_process(subgraph, supergraph, log, "--workers", "2") as (process, base_url),
    ):
        first = await _pids_answering(base_url, 2)
        victim = min(first)
        os.kill(victim, signal.SIGKILL)
        await until(lambda: f"(pid {victim}) exited" in log.read_text(), "the master noticed")
        replaced: set[int] = set()
        for _ in range(100):
            replaced = await _pids_answering(base_url, 2)
            if len(replaced) == 2 and victim not in replaced:
                break
        assert len(replaced) == 2 and victim not in replaced and process.returncode is None
        assert {_parent_of(pid) for pid in replaced} == {process.pid}
        process.send_signal(signal.SIGTERM)
        assert await process.wait() == 0


async def _answers_extra(base_url: str) -> bool:
    async with httpx.AsyncClient(base_url=base_url, trust_env=False) as client:
        body = (await client.post("/graphql", json={"query": "{ extra }"})).json()
    return bool(body.get("data"))


async def test_sighup_reloads_every_worker_and_a_replacement_serves_the_file_as_it_is(
    tmp_path: Path,
) -> None:
    """SIGHUP to the master reaches both workers (polling off: SIGHUP is the only trigger);
    a worker forked after the change reads the changed file, not the master's copy."""
    supergraph = tmp_path / "schema.graphql"
    supergraph.write_text(V1, encoding="utf-8")
    options = ("--workers", "2", "--reload-poll-seconds", "0")
    async with (
        running(FlakySubgraph()) as subgraph,
        router_process(subgraph, supergraph, tmp_path / "log", *options) as (process, base_url),
    ):
        subgraph.fields["extra"] = 5
        workers = await _pids_answering(base_url, 2)
        assert not await _answers_extra(base_url)
        supergraph.write_text(V2, encoding="utf-8")
        process.send_signal(signal.SIGHUP)
        for _ in range(200):  # until one new connection sees V2, then every one must
            if await _answers_extra(base_url):
                break
        # new connections spread over both workers (2**-30 that they all miss one)
        answers = [await _answers_extra(base_url) for _ in range(30)]
        assert all(answers), answers

        victim = min(workers)
        os.kill(victim, signal.SIGKILL)
        replaced: set[int] = set()
        for _ in range(100):
            replaced = await _pids_answering(base_url, 2)
            if len(replaced) == 2 and victim not in replaced:
                break
        assert victim not in replaced
        answers = [await _answers_extra(base_url) for _ in range(30)]
        assert all(answers), answers
        process.send_signal(signal.SIGTERM)
        assert await process.wait() == 0
