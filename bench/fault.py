"""The fault test: one subgraph of the project fleet killed under load, then brought back.

A Python client sends customer-360 to our router from ``connections`` concurrent loops (2 by
default, so that a latency is the request's and not a queue on a saturated 2-core machine),
first ``warmup_seconds`` not kept (plan cache, pools), then keeps every answer's start time,
latency, status and whether it had errors: ``before_seconds`` healthy, the subgraph killed
(SIGKILL) for ``down_seconds``, then started again on its port, ``after_seconds`` more. The
router runs with its defaults (circuit breaker on: 5 failures open it, 1 s cooldown, then
one probe). Targets: the router keeps answering with partial data, p99 while the subgraph
is down < 20 ms, no 5xx, every answer error-free within 2 s of the subgraph being ready
again (ready: its ``/ready`` answered).
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from bench.load import RequestBody

__all__ = ["FaultResult", "Sample", "latency_ms", "measure_fault"]


@dataclass(frozen=True, slots=True)
class Sample:
    started: float  # seconds since the load began
    latency_ms: float
    status: int  # 0: no HTTP answer
    errors: bool
    data: bool  # data not null


@dataclass(frozen=True, slots=True)
class FaultResult:
    subgraph: str
    connections: int
    killed_at: float
    restarted_at: float  # its process started again
    back_at: float  # it answered /ready again
    samples: tuple[Sample, ...]

    def _between(self, start: float, end: float) -> list[Sample]:
        return [s for s in self.samples if start <= s.started < end]

    @property
    def down(self) -> list[Sample]:
        """Answers started while no process of the subgraph ran."""
        return self._between(self.killed_at, self.restarted_at)

    @property
    def starting(self) -> list[Sample]:
        """Answers started while the new process was starting (its imports take a core)."""
        return self._between(self.restarted_at, self.back_at)

    @property
    def p99_down_ms(self) -> float:
        return latency_ms(self.down, 0.99)

    @property
    def before(self) -> list[Sample]:
        return self._between(0, self.killed_at)

    @property
    def samples_after_back(self) -> list[Sample]:
        return self._between(self.back_at, float("inf"))

    @property
    def server_errors(self) -> int:
        return sum(1 for s in self.samples if s.status >= 500 or s.status == 0)

    @property
    def partial_share(self) -> float:
        """Share of the answers while down with data and errors (the dead subgraph's fields)."""
        down = self.down
        return sum(1 for s in down if s.data and s.errors) / len(down) if down else 0.0

    @property
    def recovered_at(self) -> float | None:
        """The start of the first answer after which every answer is error-free; None when
        errors go on to the end."""
        after = self._between(self.restarted_at, float("inf"))
        last_error = max((s.started for s in after if s.errors), default=None)
        if last_error is None:
            return self.restarted_at
        clean = sorted(s.started for s in after if s.started > last_error)
        return clean[0] if clean else None

    @property
    def recovery_seconds(self) -> float | None:
        """From the subgraph answering ``/ready`` to :attr:`recovered_at` (0 when the
        router was answering in full before ``/ready`` did)."""
        recovered = self.recovered_at
        return None if recovered is None else max(0.0, recovered - self.back_at)


def latency_ms(samples: Sequence[Sample], share: float) -> float:
    """The ``share`` percentile of the samples' latencies (0 when there is none)."""
    if not samples:
        return 0.0
    ordered = sorted(sample.latency_ms for sample in samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def _drive(
    url: str, bodies: Sequence[RequestBody], connections: int, stop: asyncio.Event
) -> list[Sample]:
    samples: list[Sample] = []
    origin = time.perf_counter()
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)

    async def loop(offset: int, client: httpx.AsyncClient) -> None:
        index = offset
        while not stop.is_set():
            body = bodies[index % len(bodies)]
            index += connections
            started = time.perf_counter()
            status, errors, data = 0, True, False
            try:
                response = await client.post(url, json=dict(body))
                status = response.status_code
                answer: dict[str, Any] = response.json()
                errors, data = bool(answer.get("errors")), answer.get("data") is not None
            except (httpx.HTTPError, ValueError):
                pass
            elapsed = time.perf_counter() - started
            samples.append(Sample(started - origin, elapsed * 1000, status, errors, data))

    async with httpx.AsyncClient(limits=limits, timeout=10.0, trust_env=False) as client:
        await asyncio.gather(*(loop(i, client) for i in range(connections)))
    return samples


def measure_fault(
    url: str,
    bodies: Sequence[RequestBody],
    *,
    subgraph: str,
    pid: int,
    restart: Callable[[], object],
    connections: int = 2,
    warmup_seconds: float = 3.0,
    before_seconds: float = 3.0,
    down_seconds: float = 10.0,
    after_seconds: float = 5.0,
) -> FaultResult:
    """Kill ``pid`` (``subgraph``'s process) under load, call ``restart`` (which returns once
    the subgraph is ready again) after ``down_seconds``."""

    async def run() -> FaultResult:
        warm = asyncio.Event()
        warming = asyncio.create_task(_drive(url, bodies, connections, warm))
        await asyncio.sleep(warmup_seconds)  # plan cache, pools, the subgraphs' first queries
        warm.set()
        await warming
        stop = asyncio.Event()
        origin = time.perf_counter()
        load = asyncio.create_task(_drive(url, bodies, connections, stop))
        await asyncio.sleep(before_seconds)
        os.kill(pid, signal.SIGKILL)
        killed_at = time.perf_counter() - origin
        await asyncio.sleep(down_seconds)
        restarted_at = time.perf_counter() - origin
        await asyncio.to_thread(restart)
        back_at = time.perf_counter() - origin
        await asyncio.sleep(after_seconds)
        stop.set()
        samples = await load
        # the load's clock started a moment after ``origin``; the shift is microseconds
        return FaultResult(subgraph, connections, killed_at, restarted_at, back_at, tuple(samples))

    return asyncio.run(run())
