"""The router's own cost: latency minus the critical path of its subgraph fetches, and
planning time with a cold and a warm plan cache.

Measured in-process on the real pipeline (``Router.prepare`` + ``Router.execute`` + JSON
encoding, with the router's own HTTP client) against the real subgraphs over HTTP, on a
:class:`~bench.wire_timing.WireTimingLoop`. The critical path is the union of the intervals
in which at least one subgraph request was on the wire (first byte out to last byte in), so
parallel fetches count once and sequential ones add up. Overhead = end-to-end time -
critical path. Cold planning uses a query text the caches have never seen (a distinct
trailing comment, identical plan work); warm planning repeats the same text.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Sequence
from typing import NamedTuple
from urllib.parse import urlsplit

import orjson

from bench.wire_timing import WireTimingLoop, busy_time
from router.pipeline import Router
from router.request import GraphQLRequest, RequestError

__all__ = ["OverheadResult", "measure_overhead", "percentile"]


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


class OverheadResult(NamedTuple):
    fleet: str
    requests: int
    total_p50_ms: float
    critical_path_p50_ms: float
    overhead_p50_ms: float
    overhead_p99_ms: float
    cold_plan_p50_ms: float
    warm_plan_p50_ms: float
    wire_p50_ms_by_subgraph: tuple[tuple[str, float], ...]


def _prepare(router: Router, request: GraphQLRequest) -> None:
    prepared = router.prepare(request)
    if isinstance(prepared, RequestError):
        raise ValueError(f"the router rejects the query: {prepared.errors}")


def _planning_ms(router: Router, request: GraphQLRequest, samples: int) -> tuple[float, float]:
    cold, warm = [], []
    for index in range(samples):
        unseen = GraphQLRequest(f"{request.query}\n# cold plan {index}", None, request.variables)
        started = time.perf_counter()
        _prepare(router, unseen)
        cold.append(time.perf_counter() - started)
    for _ in range(samples):
        started = time.perf_counter()
        _prepare(router, request)
        warm.append(time.perf_counter() - started)
    return 1000 * statistics.median(cold), 1000 * statistics.median(warm)


class _Sample(NamedTuple):
    total: float
    critical_path: float
    wire_by_peer: dict[str, float]


async def _sample(router: Router, loop: WireTimingLoop, request: GraphQLRequest) -> _Sample:
    loop.take_intervals()
    started = time.perf_counter()
    prepared = router.prepare(request)
    assert not isinstance(prepared, RequestError)
    body = await router.execute(prepared)
    orjson.dumps(body)
    total = time.perf_counter() - started
    if body.get("errors"):
        raise ValueError(f"the query fails through the router: {body['errors'][:2]}")
    intervals = loop.take_intervals()
    by_peer: dict[str, float] = {}
    for peer, start, end in intervals:
        by_peer[peer] = by_peer.get(peer, 0.0) + end - start
    return _Sample(total, busy_time([(start, end) for _, start, end in intervals]), by_peer)


async def _samples(
    router: Router, loop: WireTimingLoop, request: GraphQLRequest, requests: int
) -> list[_Sample]:
    try:
        for _ in range(requests // 10):  # warm-up: connections, caches
            await _sample(router, loop, request)
        return [await _sample(router, loop, request) for _ in range(requests)]
    finally:
        await router.aclose()


def measure_overhead(
    fleet: str,
    supergraph_sdl: str,
    request: GraphQLRequest,
    *,
    requests: int = 300,
    plans: int = 50,
) -> OverheadResult:
    router = Router.from_supergraph_sdl(supergraph_sdl)
    cold, warm = _planning_ms(router, request, plans)
    loop = WireTimingLoop()
    with asyncio.Runner(loop_factory=lambda: loop) as runner:
        samples = runner.run(_samples(router, loop, request, requests))
    overheads = [s.total - s.critical_path for s in samples]
    return OverheadResult(
        fleet,
        len(samples),
        1000 * statistics.median(s.total for s in samples),
        1000 * statistics.median(s.critical_path for s in samples),
        1000 * statistics.median(overheads),
        1000 * percentile(overheads, 0.99),
        cold,
        warm,
        _by_subgraph(router, samples),
    )


def _by_subgraph(router: Router, samples: Sequence[_Sample]) -> tuple[tuple[str, float], ...]:
    """Median wire time per request spent on each subgraph (all its fetches summed)."""
    result = []
    for name, subgraph in router.supergraph.subgraphs.items():
        peer = urlsplit(subgraph.url).netloc
        times = [s.wire_by_peer.get(peer, 0.0) for s in samples]
        result.append((name, 1000 * statistics.median(times)))
    return tuple(result)
