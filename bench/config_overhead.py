"""What a configuration costs per request, in-process: the same router app built from
several ``router.yaml`` variants (e.g. security off; on, with a bearer credential), requests
alternating between them in one process, one at a time, against real subgraphs over HTTP.

Each request goes through the whole app (security middleware, HTTP handling, pipeline,
JSON encoding) on a :class:`~bench.wire_timing.WireTimingLoop`, so the time its subgraph
requests were on the wire is known: router overhead = end-to-end - critical path (see
:mod:`bench.overhead`). The added time of a variant is the median of its per-request
differences to the baseline (same body, back to back), which cancels slow drifts in the
machine's load; a second copy of the baseline shows what is left of the noise. Work a
variant moves into the subgraphs (identity checks, masking) shows in the end-to-end figure
and the wire time by subgraph, not in the router overhead.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import orjson
from starlette.applications import Starlette

from bench.overhead import percentile
from bench.router_app import post_graphql, running
from bench.wire_timing import WireTimingLoop, busy_time

__all__ = [
    "A_A_SUFFIX",
    "AddedTarget",
    "AddedTime",
    "AppVariant",
    "ConfigOverheadResult",
    "VariantTiming",
    "measure_config_overhead",
    "paired_median_ms",
]

# names the baseline's second copy, whose "added" time is the noise floor of the others'
A_A_SUFFIX = " (again: noise floor)"


@dataclass(frozen=True, slots=True)
class AppVariant:
    name: str
    app: Starlette
    headers: Mapping[str, str] = field(default_factory=dict)
    subgraphs: Mapping[str, str] = field(default_factory=dict)  # "host:port" -> name
    # called before each request of this variant, untimed (e.g. turns process-wide tracing
    # on for this variant's requests only)
    before: Callable[[], None] | None = None


class VariantTiming(NamedTuple):
    name: str
    total_p50_ms: float
    critical_path_p50_ms: float
    overhead_p50_ms: float
    overhead_p99_ms: float
    subgraph_requests: float  # per client request (median)
    # wire time per client request by subgraph (all its fetches summed), p50
    wire_p50_ms_by_subgraph: tuple[tuple[str, float], ...] = ()


class AddedTime(NamedTuple):
    """Median of the per-request differences variant - baseline (same body, back to back)."""

    variant: str
    router_overhead_ms: float
    end_to_end_ms: float
    wire_ms_by_subgraph: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True, slots=True)
class AddedTarget:
    """A bound on the time a variant adds: absolute, or as a share of the baseline's p50."""

    description: str
    max_added_ms: float | None = None
    max_added_fraction: float | None = None

    def met_by(self, added_ms: float, baseline_p50_ms: float) -> bool:
        if self.max_added_ms is not None and added_ms >= self.max_added_ms:
            return False
        fraction = self.max_added_fraction
        return fraction is None or added_ms <= fraction * baseline_p50_ms


class ConfigOverheadResult(NamedTuple):
    title: str
    requests: int  # per variant
    timings: tuple[VariantTiming, ...]  # the baseline first
    added: tuple[AddedTime, ...]  # every other variant against the baseline
    target: AddedTarget | None = None
    remarks: tuple[str, ...] = ()  # what the stage checked besides the times


@dataclass(slots=True)
class _Samples:
    totals: list[float] = field(default_factory=list)
    critical_paths: list[float] = field(default_factory=list)
    subgraph_requests: list[int] = field(default_factory=list)
    wire: list[dict[str, float]] = field(default_factory=list)  # by subgraph name

    def wire_of(self, subgraph: str) -> list[float]:
        return [by_name.get(subgraph, 0.0) for by_name in self.wire]

    def subgraph_names(self) -> list[str]:
        return sorted({name for by_name in self.wire for name in by_name})

    @property
    def overheads(self) -> list[float]:
        return [t - c for t, c in zip(self.totals, self.critical_paths, strict=True)]

    def timing(self, name: str) -> VariantTiming:
        return VariantTiming(
            name,
            1000 * statistics.median(self.totals),
            1000 * statistics.median(self.critical_paths),
            1000 * statistics.median(self.overheads),
            1000 * percentile(self.overheads, 0.99),
            statistics.median(self.subgraph_requests),
            tuple(
                (name, 1000 * statistics.median(self.wire_of(name)))
                for name in self.subgraph_names()
            ),
        )


def paired_median_ms(values: Sequence[float], baseline: Sequence[float]) -> float:
    """The median of ``values[i] - baseline[i]``, in ms (pairs cancel slow drifts in load)."""
    return 1000 * statistics.median(v - b for v, b in zip(values, baseline, strict=True))


def _added(name: str, samples: _Samples, baseline: _Samples) -> AddedTime:
    return AddedTime(
        name,
        paired_median_ms(samples.overheads, baseline.overheads),
        paired_median_ms(samples.totals, baseline.totals),
        tuple(
            (name, paired_median_ms(samples.wire_of(name), baseline.wire_of(name)))
            for name in samples.subgraph_names()
        ),
    )


async def _one(
    variant: AppVariant, loop: WireTimingLoop, body: bytes, samples: _Samples | None
) -> None:
    if variant.before is not None:
        variant.before()
    loop.take_intervals()
    started = time.perf_counter()
    response = await post_graphql(variant.app, body, variant.headers)
    total = time.perf_counter() - started
    answer: dict[str, Any] = orjson.loads(response.body)
    if response.status != 200 or answer.get("errors"):
        raise ValueError(f"{variant.name}: HTTP {response.status}: {response.body[:400]!r}")
    if samples is None:
        return
    intervals = loop.take_intervals()
    wire: dict[str, float] = {}
    for peer, start, end in intervals:
        name = variant.subgraphs.get(peer, peer)
        wire[name] = wire.get(name, 0.0) + end - start
    samples.totals.append(total)
    samples.critical_paths.append(busy_time([(start, end) for _, start, end in intervals]))
    samples.subgraph_requests.append(len(intervals))
    samples.wire.append(wire)


async def _alternate(
    variants: Sequence[AppVariant], loop: WireTimingLoop, bodies: Sequence[bytes], requests: int
) -> list[_Samples]:
    samples = [_Samples() for _ in variants]
    async with AsyncExitStack() as stack:
        for variant in variants:
            await stack.enter_async_context(running(variant.app))
        for index in range(requests // 10 + requests):  # the first tenth warms up
            body = bodies[index % len(bodies)]
            order = list(zip(variants, samples, strict=True))
            for variant, sink in order if index % 2 == 0 else reversed(order):
                await _one(variant, loop, body, sink if index >= requests // 10 else None)
    return samples


def measure_config_overhead(
    title: str,
    variants: Sequence[AppVariant],
    bodies: Sequence[Mapping[str, Any]],
    *,
    requests: int = 300,
    target: AddedTarget | None = None,
) -> ConfigOverheadResult:
    """``variants[0]`` is the baseline; ``bodies`` (GraphQL POST bodies) are cycled through,
    each sent to every variant in turn (order reversed every other request). A second copy
    of the baseline among ``variants`` shows the noise floor of the added times."""
    encoded = [orjson.dumps(dict(body)) for body in bodies]
    loop = WireTimingLoop()
    with asyncio.Runner(loop_factory=lambda: loop) as runner:
        samples = runner.run(_alternate(variants, loop, encoded, requests))
    return ConfigOverheadResult(
        title,
        requests,
        tuple(s.timing(v.name) for v, s in zip(variants, samples, strict=True)),
        tuple(
            _added(v.name, s, samples[0]) for v, s in zip(variants[1:], samples[1:], strict=True)
        ),
        target,
    )
