"""Router throughput with 1 and 2 worker processes (``serve --workers N``) on one fleet.

Both routers run side by side on the same supergraph; autocannon drives each in turn
(warm-up, then alternating rounds, as the router stage). Where the machine has more cores
than workers plus one, the routers are pinned (``taskset``) to the first cores and the load
generator to the rest; on 2 cores that is impossible (the 2 workers need both) and the
result says so: the load generator and the fleet then take CPU from the workers.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.load import LoadResult, RequestBody, run_pinned_load
from bench.processes import ProcessGroup, http_ready
from bench.routers import OURS, LoadSettings

__all__ = ["WorkersResult", "WorkersRow", "measure_workers"]


@dataclass(frozen=True, slots=True)
class WorkersRow:
    workers: int
    requests_per_second: float
    p50_ms: float
    p99_ms: float


@dataclass(frozen=True, slots=True)
class WorkersResult:
    fleet: str
    rows: tuple[WorkersRow, ...]
    pinning: str  # how the load generator was kept away from the workers, or why not

    def speedup(self) -> float | None:
        by_count = {row.workers: row.requests_per_second for row in self.rows}
        if by_count.get(1) and 2 in by_count:
            return by_count[2] / by_count[1]
        return None


def _pinning(workers: int) -> tuple[str, str | None]:
    """(a description, the cores for the routers as a taskset list, or None)."""
    cores = sorted(os.sched_getaffinity(0))
    if shutil.which("taskset") is None:
        return "not pinned: taskset is not installed", None
    if len(cores) <= workers:
        return (
            f"not pinned: {len(cores)} cores for {workers} workers leave none for the load "
            "generator and the fleet, which take CPU from the workers",
            None,
        )
    routers = ",".join(str(core) for core in cores[:workers])
    return f"routers on cores {routers}, the load generator on the others", routers


def measure_workers(
    fleet: str,
    supergraph: Path,
    bodies: Sequence[RequestBody],
    settings: LoadSettings,
    *,
    log_dir: Path,
    base_port: int,
    counts: Sequence[int] = (1, 2),
) -> WorkersResult:
    pinning, router_cores = _pinning(max(counts))
    results: dict[int, list[LoadResult]] = {count: [] for count in counts}
    with ProcessGroup(log_dir) as group:
        urls = {}
        for offset, count in enumerate(counts):
            port = base_port + offset
            contender = dataclasses.replace(OURS, workers=count)
            argv = contender.argv(supergraph, port)
            if router_cores is not None:
                argv = ["taskset", "-c", router_cores, *argv]
            group.start(f"workers-{count}", argv, http_ready(f"http://127.0.0.1:{port}/health"))
            urls[count] = f"http://127.0.0.1:{port}/graphql"
        load_cores = _load_cores(router_cores)
        for count in counts:
            run_pinned_load(load_cores, urls[count], bodies, connections=settings.connections,
                            duration=settings.warmup)  # fmt: skip
        for round_index in range(settings.rounds):
            order = list(counts) if round_index % 2 == 0 else list(reversed(counts))
            for count in order:
                results[count].append(run_pinned_load(
                    load_cores, urls[count], bodies, connections=settings.connections,
                    duration=settings.duration,
                ))  # fmt: skip
    rows = tuple(
        WorkersRow(
            count,
            sum(r.requests_per_second for r in runs) / len(runs),
            sum(r.p50_ms for r in runs) / len(runs),
            max(r.p99_ms for r in runs),
        )
        for count, runs in results.items()
    )
    return WorkersResult(fleet, rows, pinning)


def _load_cores(router_cores: str | None) -> str | None:
    if router_cores is None:
        return None
    taken = {int(core) for core in router_cores.split(",")}
    return ",".join(str(core) for core in sorted(os.sched_getaffinity(0)) if core not in taken)
