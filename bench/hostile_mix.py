"""The hostile mix: normal traffic while a second client sends hostile documents.

Our router alone in front of the fleet: after a warm-up, one window of normal load
(autocannon, as in the router comparison) without the hostile client, then one with it.
The hostile client (:class:`HostileClient`, a thread of this process) sends the documents of
:func:`bench.hostile.hostile_mix` in turn, one at a time, each made distinct by a comment so
that no cache answers it. Reported: normal p99 without and with the hostile client, the
hostile requests sent and their answers by status, 5xx among them, and the router's peak
RSS. Goals (issue 9): p99 within 2x, RSS under 200 MB, zero 5xx.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import httpx

from bench.hostile import hostile_mix
from bench.load import RequestBody, run_load
from bench.measure import peak_rss_mib
from bench.processes import ProcessGroup
from bench.routers import OURS, LoadSettings

__all__ = ["HostileClient", "HostileMixResult", "measure_hostile_mix"]


class HostileMixResult(NamedTuple):
    fleet: str
    quiet_p99_ms: float
    hostile_p99_ms: float
    normal_errors: int
    hostile_requests: int
    statuses: tuple[tuple[int, int], ...]  # (HTTP status, count) of the hostile answers
    peak_rss_mib: float

    @property
    def server_errors(self) -> int:
        return sum(count for status, count in self.statuses if status >= 500)


class HostileClient:
    """Sends hostile documents one after another until stopped; counts answers by status."""

    def __init__(self, url: str, documents: Sequence[tuple[str, str]]) -> None:
        self.url = url
        self.documents = documents
        self.statuses: Counter[int] = Counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hostile-client", daemon=True)

    def __enter__(self) -> HostileClient:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=120)

    def _run(self) -> None:
        serial = 0
        with httpx.Client(timeout=60, trust_env=False) as client:
            while not self._stop.is_set():
                _, document = self.documents[serial % len(self.documents)]
                body = {"query": f"{document}\n# {serial}"}
                try:
                    status = client.post(self.url, json=body).status_code
                except httpx.HTTPError:
                    status = 599  # no answer at all: counted with the 5xx
                self.statuses[status] += 1
                serial += 1


def measure_hostile_mix(
    fleet: str,
    supergraph: Path,
    bodies: Sequence[RequestBody],
    settings: LoadSettings,
    *,
    target: tuple[str, str, str],
    log_dir: Path,
    port: int,
) -> HostileMixResult:
    """``target``: (type, root field with arguments, leaf field) the documents aim at."""
    documents = hostile_mix(*target)
    with ProcessGroup(log_dir) as group:
        process = OURS.start(group, supergraph, port, "hostile-mix")
        url = f"http://127.0.0.1:{port}/graphql"
        load = {"connections": settings.connections, "duration": settings.duration}
        run_load(url, bodies, connections=settings.connections, duration=settings.warmup)
        quiet = run_load(url, bodies, **load)
        with HostileClient(url, documents) as hostile:
            loaded = run_load(url, bodies, **load)
        return HostileMixResult(
            fleet,
            quiet.p99_ms,
            loaded.p99_ms,
            quiet.errors + loaded.errors,
            sum(hostile.statuses.values()),
            tuple(sorted(hostile.statuses.items())),
            peak_rss_mib(process.pid),
        )
