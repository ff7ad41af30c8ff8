"""Our router, Apollo Gateway and Hive Gateway in front of the same subgraphs, measured in
alternation in one session.

All contenders run side by side on the same supergraph file. After a warm-up each, the
rounds alternate between them (the order rotates every round, so none always goes first
after a quiet period). Per contender: mean req/s and p50 over the rounds, the worst p99,
CPU per request (``/proc`` CPU time over the load windows / requests served) and peak RSS;
with a statement counter (the project's subgraphs), the SQL statements the subgraphs ran per
client request, which shows what each router's plans and deduplication cost the data layer.
"""

from __future__ import annotations

import statistics
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from bench.environment import PEERS_DIR, REPO_ROOT, missing_peers_reason, node_executable
from bench.load import LoadError, LoadResult, RequestBody, run_load
from bench.measure import cpu_seconds, peak_rss_mib
from bench.peer_supergraph import peer_supergraph_file
from bench.processes import ManagedProcess, ProcessGroup, StartupError, http_ready, log_line_ready

__all__ = [
    "CONTENDERS",
    "OURS",
    "Contender",
    "FleetComparison",
    "LoadSettings",
    "RouterMeasurement",
    "compare_routers",
]


@dataclass(frozen=True, slots=True)
class Contender:
    """A router to measure: ours, or a Node peer script in ``tools/peers``."""

    name: str
    peer_script: str | None = None
    # our router's processes: 1 beside the single-process Node gateways (the workers stage
    # compares 1 and 2)
    workers: int = 1

    @property
    def needs_node(self) -> bool:
        return self.peer_script is not None

    def argv(self, supergraph: Path, port: int, config: Path | None = None) -> list[str]:
        """``config``: our router's ``router.yaml`` (``serve --config``), else its defaults."""
        if self.peer_script is None:
            return [
                sys.executable, "-m", "router", "serve", "--supergraph", str(supergraph),
                "--port", str(port), "--no-graphiql", "--log-level", "warning",
                "--workers", str(self.workers),
                *(["--config", str(config)] if config is not None else []),
            ]  # fmt: skip
        node = node_executable() or "node"
        script = str(PEERS_DIR / self.peer_script)
        return [node, script, "--supergraph", str(supergraph), "--port", str(port)]

    def start(
        self,
        group: ProcessGroup,
        supergraph: Path,
        port: int,
        label: str,
        *,
        config: Path | None = None,
        env: Mapping[str, str] | None = None,
    ) -> ManagedProcess:
        ready = (
            log_line_ready("READY")
            if self.needs_node
            else http_ready(f"http://127.0.0.1:{port}/health")
        )
        name = f"{label}-{self.name.lower().replace(' ', '-')}"
        if self.needs_node:  # Apollo Gateway refuses the access-control features
            supergraph = peer_supergraph_file(supergraph)
        argv = self.argv(supergraph, port, config)
        return group.start(name, argv, ready, env=env, cwd=REPO_ROOT)


OURS = Contender("ours")
CONTENDERS = (
    OURS,
    Contender("Apollo Gateway", "gateway.mjs"),
    Contender("Hive Gateway", "hive.mjs"),
)


@dataclass(frozen=True, slots=True)
class LoadSettings:
    connections: int = 20
    duration: int = 8
    warmup: int = 2
    rounds: int = 2


class RouterMeasurement(NamedTuple):
    name: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    cpu_ms_per_request: float
    peak_rss_mib: float
    errors: int
    statements_per_request: float | None = None


class FleetComparison(NamedTuple):
    fleet: str
    measurements: tuple[RouterMeasurement, ...]
    skipped: tuple[tuple[str, str], ...]

    def measurement(self, name: str) -> RouterMeasurement | None:
        return next((m for m in self.measurements if m.name == name), None)


class _Round(NamedTuple):
    load: LoadResult
    cpu_seconds: float
    statements: int | None


StatementCounter = Callable[[], int]


@dataclass(slots=True)
class _Running:
    contender: Contender
    process: ManagedProcess
    url: str
    rounds: list[_Round]


def _start_all(
    group: ProcessGroup, supergraph: Path, base_port: int, label: str
) -> tuple[list[_Running], list[tuple[str, str]]]:
    running: list[_Running] = []
    skipped: list[tuple[str, str]] = []
    peers_missing = missing_peers_reason()
    for offset, contender in enumerate(CONTENDERS):
        if contender.needs_node and peers_missing:
            skipped.append((contender.name, f"not installed: {peers_missing}"))
            continue
        port = base_port + offset
        try:
            process = contender.start(group, supergraph, port, label)
        except StartupError as error:
            skipped.append((contender.name, f"did not start: {error}"))
            continue
        running.append(_Running(contender, process, f"http://127.0.0.1:{port}/graphql", []))
    return running, skipped


def _measure_round(
    entry: _Running,
    bodies: Sequence[RequestBody],
    settings: LoadSettings,
    count_statements: StatementCounter | None,
) -> None:
    statements_before = count_statements() if count_statements else 0
    before = cpu_seconds(entry.process.pid)
    load = run_load(entry.url, bodies, connections=settings.connections, duration=settings.duration)
    cpu = cpu_seconds(entry.process.pid) - before
    statements = count_statements() - statements_before if count_statements else None
    entry.rounds.append(_Round(load, cpu, statements))


def _summary(entry: _Running) -> RouterMeasurement:
    loads = [r.load for r in entry.rounds]
    served = sum(load.total_requests + load.probes for load in loads)
    counted = [r.statements for r in entry.rounds if r.statements is not None]
    return RouterMeasurement(
        entry.contender.name,
        statistics.fmean(load.requests_per_second for load in loads),
        statistics.fmean(load.p50_ms for load in loads),
        max(load.p99_ms for load in loads),
        1000 * sum(r.cpu_seconds for r in entry.rounds) / max(served, 1),
        peak_rss_mib(entry.process.pid),
        sum(load.errors for load in loads),
        sum(counted) / max(served, 1) if counted else None,
    )


def compare_routers(
    fleet: str,
    supergraph: Path,
    bodies: Sequence[RequestBody],
    settings: LoadSettings,
    *,
    log_dir: Path,
    base_port: int,
    label: str,
    count_statements: StatementCounter | None = None,
) -> FleetComparison:
    """Measure every installed contender in front of the (already running) fleet; ``label``
    names their log files, ``count_statements`` reads the subgraphs' SQL statement total."""
    with ProcessGroup(log_dir) as group:
        running, skipped = _start_all(group, supergraph, base_port, label)
        for entry in list(running):
            try:
                run_load(entry.url, bodies, connections=settings.connections,
                         duration=settings.warmup)  # fmt: skip
            except LoadError as error:
                skipped.append((entry.contender.name, f"answer not clean: {error}"))
                running.remove(entry)
        for round_index in range(settings.rounds):
            shift = round_index % max(len(running), 1)
            for entry in running[shift:] + running[:shift]:
                try:
                    _measure_round(entry, bodies, settings, count_statements)
                except LoadError as error:
                    skipped.append((entry.contender.name, f"failed under load: {error}"))
                    running.remove(entry)
        measurements = tuple(_summary(entry) for entry in running)
    return FleetComparison(fleet, measurements, tuple(skipped))
