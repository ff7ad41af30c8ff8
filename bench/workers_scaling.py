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
from typing import NamedTuple

from bench.load import LoadResult, RequestBody, run_pinned_load
from bench.measure import cpu_seconds
from bench.processes import ProcessGroup, http_ready
from bench.routers import OURS, LoadSettings

__all__ = ["WorkersResult", "WorkersRow", "measure_workers"]


@dataclass(frozen=True, slots=True)
class WorkersRow:
    workers: int
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    cores_used: float  # CPU seconds of the master and its workers per second of load
    cpu_ms_per_request: float
    fleet_cores: float  # the same for the fleet's process
    machine_cores: float  # cores busy on the whole machine (every process, /proc/stat)


@dataclass(frozen=True, slots=True)
class WorkersResult:
    fleet: str
    rows: tuple[WorkersRow, ...]
    pinning: str  # how the load generator was kept away from the workers, or why not
    load_average: float  # the machine's 1-minute load average when the stage began

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
    fleet_pid: int,
    counts: Sequence[int] = (1, 2),
) -> WorkersResult:
    pinning, router_cores = _pinning(max(counts))
    load_average = os.getloadavg()[0]
    results: dict[int, list[_Run]] = {count: [] for count in counts}
    pids: dict[int, int] = {}
    with ProcessGroup(log_dir) as group:
        urls = {}
        for offset, count in enumerate(counts):
            port = base_port + offset
            contender = dataclasses.replace(OURS, workers=count)
            argv = contender.argv(supergraph, port)
            if router_cores is not None:
                argv = ["taskset", "-c", router_cores, *argv]
            ready = http_ready(f"http://127.0.0.1:{port}/health")
            pids[count] = group.start(f"workers-{count}", argv, ready).pid
            urls[count] = f"http://127.0.0.1:{port}/graphql"
        load_cores = _load_cores(router_cores)
        for count in counts:
            run_pinned_load(load_cores, urls[count], bodies, connections=settings.connections,
                            duration=settings.warmup)  # fmt: skip
        for round_index in range(settings.rounds):
            order = list(counts) if round_index % 2 == 0 else list(reversed(counts))
            for count in order:
                before = _cpu_now(pids[count], fleet_pid)
                load = run_pinned_load(
                    load_cores, urls[count], bodies, connections=settings.connections,
                    duration=settings.duration,
                )  # fmt: skip
                after = _cpu_now(pids[count], fleet_pid)
                used = tuple(b - a for a, b in zip(before, after, strict=True))
                results[count].append(_Run(load, *used))
    rows = tuple(_row(count, runs, settings.duration) for count, runs in results.items())
    return WorkersResult(fleet, rows, pinning, load_average)


class _Run(NamedTuple):
    load: LoadResult
    router_cpu: float  # seconds
    fleet_cpu: float
    machine_cpu: float


def _cpu_now(router_pid: int, fleet_pid: int) -> tuple[float, float, float]:
    return _tree_cpu_seconds(router_pid), cpu_seconds(fleet_pid), _machine_busy_seconds()


def _row(count: int, runs: Sequence[_Run], duration: int) -> WorkersRow:
    loads = [run.load for run in runs]
    seconds = duration * len(runs)
    router_cpu = sum(run.router_cpu for run in runs)
    requests = sum(load.total_requests for load in loads)
    return WorkersRow(
        count,
        sum(load.requests_per_second for load in loads) / len(loads),
        sum(load.p50_ms for load in loads) / len(loads),
        max(load.p99_ms for load in loads),
        router_cpu / seconds,
        router_cpu * 1000 / requests if requests else 0.0,
        sum(run.fleet_cpu for run in runs) / seconds,
        sum(run.machine_cpu for run in runs) / seconds,
    )


def _machine_busy_seconds() -> float:
    """CPU seconds every core spent running something since boot (``/proc/stat``: user,
    nice, system, irq, softirq; not idle, iowait or steal)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    busy = fields[0] + fields[1] + fields[2] + fields[5] + fields[6]
    return busy / os.sysconf("SC_CLK_TCK")


def _tree_cpu_seconds(pid: int) -> float:
    """CPU time of ``pid`` and its children (the workers of ``serve --workers``)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return cpu_seconds(pid) + sum(cpu_seconds(int(child)) for child in children)


def _load_cores(router_cores: str | None) -> str | None:
    if router_cores is None:
        return None
    taken = {int(core) for core in router_cores.split(",")}
    return ",".join(str(core) for core in sorted(os.sched_getaffinity(0)) if core not in taken)
