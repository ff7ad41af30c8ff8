"""Drive load with autocannon (``bench/loadgen.mjs``) in a separate Node process.

The load generator never runs inside a measured process. It cycles every connection through
a mix of request bodies and refuses to measure a target whose answers carry errors.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import orjson

from bench.environment import BENCH_DIR, PEERS_DIR, node_executable

__all__ = ["LoadError", "LoadResult", "RequestBody", "run_load", "run_pinned_load"]

RequestBody = Mapping[str, Any]


class LoadError(RuntimeError):
    """The target gave an unclean answer, or the load generator failed."""


class LoadResult(NamedTuple):
    requests_per_second: float
    total_requests: int
    probes: int
    p50_ms: float
    p99_ms: float
    errors: int

    @classmethod
    def from_json(cls, report: Mapping[str, Any]) -> LoadResult:
        latency = report["latencyMs"]
        failures = int(report["errors"]) + int(report["timeouts"]) + int(report["non2xx"])
        return cls(
            float(report["requestsPerSecond"]),
            int(report["totalRequests"]),
            int(report["probes"]),
            float(latency["p50"]),
            float(latency["p99"]),
            failures,
        )


def run_load(
    url: str, bodies: Sequence[RequestBody], *, connections: int, duration: int
) -> LoadResult:
    return run_pinned_load(None, url, bodies, connections=connections, duration=duration)


def run_pinned_load(
    cores: str | None, url: str, bodies: Sequence[RequestBody], *, connections: int, duration: int
) -> LoadResult:
    """:func:`run_load` with the load generator pinned to ``cores`` (a ``taskset`` list)."""
    node = node_executable()
    if node is None:
        raise LoadError("node is not installed")
    with tempfile.NamedTemporaryFile("wb", suffix=".json", delete=False) as handle:
        handle.write(orjson.dumps(list(bodies)))
    bodies_file = Path(handle.name)
    try:
        completed = subprocess.run(
            [
                *(["taskset", "-c", cores] if cores else []),
                node,
                str(BENCH_DIR / "loadgen.mjs"),
                "--peers",
                str(PEERS_DIR),
                url,
                "--bodies",
                str(bodies_file),
                "-c",
                str(connections),
                "-d",
                str(duration),
            ],
            capture_output=True,
            text=True,
            timeout=duration + 60,
            check=False,
        )
    finally:
        bodies_file.unlink()
    if completed.returncode != 0:
        raise LoadError(completed.stderr.strip() or f"loadgen exited {completed.returncode}")
    return LoadResult.from_json(orjson.loads(completed.stdout.strip().splitlines()[-1]))
