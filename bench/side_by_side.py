"""Variants of our router (configurations, request shapes) measured in alternation in one
session, and their ratios to a baseline, computed in the run.

The load is the router stage's (autocannon, :func:`bench.load.run_load`): a warm-up per
target, then rounds in which every target is loaded in turn, the order rotating every
round. A target is a router process and the requests sent to it; two targets may share a
process (the same router, requests by POST or by GET). Per target: mean req/s and p50 over
the rounds, the worst p99, CPU ms per request of its process, peak RSS.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from bench.load import LoadError, LoadResult, RequestBody, run_load
from bench.measure import cpu_seconds, peak_rss_mib
from bench.processes import ManagedProcess
from bench.routers import LoadSettings, RouterMeasurement

__all__ = [
    "ComparedPair",
    "LoadTarget",
    "Target",
    "VariantComparison",
    "VariantRatio",
    "compare_variants",
    "variant_ratio",
]


@dataclass(frozen=True, slots=True)
class LoadTarget:
    name: str
    url: str
    process: ManagedProcess
    requests: tuple[RequestBody, ...]
    description: str = ""  # what it runs with, for the report


@dataclass(frozen=True, slots=True)
class Target:
    """What a variant may cost relative to its baseline."""

    description: str
    min_throughput_ratio: float
    max_latency_ratio: float | None = None  # p50 and p99
    max_p50_added_ms: float | None = None

    def met_by(self, ratio: VariantRatio) -> bool:
        if ratio.throughput is None or ratio.throughput < self.min_throughput_ratio:
            return False
        if self.max_latency_ratio is not None:
            for value in (ratio.p50, ratio.p99):
                if value is None or value > self.max_latency_ratio:
                    return False
        return self.max_p50_added_ms is None or ratio.p50_added_ms < self.max_p50_added_ms


class VariantRatio(NamedTuple):
    variant: str
    baseline: str
    throughput: float | None  # variant / baseline: higher is better
    p50: float | None  # lower is better
    p99: float | None
    p50_added_ms: float


def _ratio(value: float, reference: float) -> float | None:
    return value / reference if reference else None


def variant_ratio(variant: RouterMeasurement, baseline: RouterMeasurement) -> VariantRatio:
    return VariantRatio(
        variant.name,
        baseline.name,
        _ratio(variant.requests_per_second, baseline.requests_per_second),
        _ratio(variant.p50_ms, baseline.p50_ms),
        _ratio(variant.p99_ms, baseline.p99_ms),
        variant.p50_ms - baseline.p50_ms,
    )


@dataclass(frozen=True, slots=True)
class ComparedPair:
    variant: str
    baseline: str
    target: Target | None = None


class VariantComparison(NamedTuple):
    title: str
    measurements: tuple[RouterMeasurement, ...]
    ratios: tuple[tuple[VariantRatio, Target | None], ...]
    descriptions: tuple[tuple[str, str], ...]  # target name, what it runs with
    skipped: tuple[tuple[str, str], ...]


@dataclass(slots=True)
class _Running:
    target: LoadTarget
    rounds: list[tuple[LoadResult, float]] = field(default_factory=list)

    def summary(self) -> RouterMeasurement:
        loads = [load for load, _ in self.rounds]
        served = sum(load.total_requests + load.probes for load in loads)
        return RouterMeasurement(
            self.target.name,
            statistics.fmean(load.requests_per_second for load in loads),
            statistics.fmean(load.p50_ms for load in loads),
            max(load.p99_ms for load in loads),
            1000 * sum(cpu for _, cpu in self.rounds) / max(served, 1),
            peak_rss_mib(self.target.process.pid),
            sum(load.errors for load in loads),
        )


def _load(entry: _Running, settings: LoadSettings, duration: int) -> LoadResult:
    return run_load(
        entry.target.url, entry.target.requests, connections=settings.connections,
        duration=duration,
    )  # fmt: skip


def _measure(
    running: list[_Running], settings: LoadSettings, skipped: list[tuple[str, str]]
) -> None:
    for entry in list(running):
        try:
            _load(entry, settings, settings.warmup)
        except LoadError as error:
            skipped.append((entry.target.name, f"answer not clean: {error}"))
            running.remove(entry)
    for round_index in range(settings.rounds):
        shift = round_index % max(len(running), 1)
        for entry in running[shift:] + running[:shift]:
            before = cpu_seconds(entry.target.process.pid)
            try:
                load = _load(entry, settings, settings.duration)
            except LoadError as error:
                skipped.append((entry.target.name, f"failed under load: {error}"))
                running.remove(entry)
                continue
            entry.rounds.append((load, cpu_seconds(entry.target.process.pid) - before))


def compare_variants(
    title: str,
    targets: Sequence[LoadTarget],
    pairs: Sequence[ComparedPair],
    settings: LoadSettings,
    skipped: Sequence[tuple[str, str]] = (),
) -> VariantComparison:
    """Measure ``targets`` in alternation; ``pairs`` name the ratios to compute."""
    running = [_Running(target) for target in targets]
    not_measured = list(skipped)
    _measure(running, settings, not_measured)
    measurements = {entry.target.name: entry.summary() for entry in running if entry.rounds}
    ratios = tuple(
        (variant_ratio(measurements[pair.variant], measurements[pair.baseline]), pair.target)
        for pair in pairs
        if pair.variant in measurements and pair.baseline in measurements
    )
    return VariantComparison(
        title,
        tuple(measurements.values()),
        ratios,
        tuple((t.name, t.description) for t in targets if t.description),
        tuple(not_measured),
    )
