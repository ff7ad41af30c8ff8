"""Render a run's measurements as ``bench/RESULTS.md`` (markdown tables, then the targets)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from bench.config_overhead import A_A_SUFFIX, ConfigOverheadResult
from bench.data_layer import DataLayerResult
from bench.fault import FaultResult, Sample, latency_ms
from bench.hostile_mix import HostileMixResult
from bench.overhead import OverheadResult
from bench.profile import Profile
from bench.routers import FleetComparison, LoadSettings, RouterMeasurement
from bench.side_by_side import VariantComparison
from bench.workers_scaling import WorkersResult

__all__ = ["RunResults", "ratio", "render"]

_PEERS = ("Apollo Gateway", "Hive Gateway")


@dataclass(slots=True)
class RunResults:
    started: str
    elapsed_seconds: float
    machine: str
    versions: Mapping[str, str]
    settings: LoadSettings
    command: str  # the arguments of python -m bench
    comparisons: list[FleetComparison] = field(default_factory=list)
    overheads: list[OverheadResult] = field(default_factory=list)
    data_layer: list[DataLayerResult] = field(default_factory=list)
    profile: Profile | None = None
    hostile_mixes: list[HostileMixResult] = field(default_factory=list)
    variant_comparisons: list[VariantComparison] = field(default_factory=list)
    config_overheads: list[ConfigOverheadResult] = field(default_factory=list)
    workers: list[WorkersResult] = field(default_factory=list)
    faults: list[FaultResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def ratio(ours: float, theirs: float) -> float | None:
    return ours / theirs if theirs else None


def _table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return [*lines, ""]


def _x(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}x"


def _router_rows(measurements: Sequence[RouterMeasurement]) -> list[list[object]]:
    rows: list[list[object]] = [
        [m.name, f"{m.requests_per_second:.0f}", f"{m.p50_ms:.0f}", f"{m.p99_ms:.0f}",
         f"{m.cpu_ms_per_request:.2f}", f"{m.peak_rss_mib:.0f}", m.errors]
        for m in measurements
    ]  # fmt: skip
    if any(m.statements_per_request is not None for m in measurements):
        for row, m in zip(rows, measurements, strict=True):
            row.append("n/a" if m.statements_per_request is None else
                       f"{m.statements_per_request:.2f}")  # fmt: skip
    return rows


def _comparison(comparison: FleetComparison) -> list[str]:
    lines = [f"### {comparison.fleet}", ""]
    header = ["router", "req/s", "p50 ms", "p99 ms", "CPU ms/req", "peak RSS MiB", "errors"]
    if any(m.statements_per_request is not None for m in comparison.measurements):
        header.append("subgraph SQL statements/req")
    lines += _table(header, _router_rows(comparison.measurements))
    ours = comparison.measurement("ours")
    ratios = []
    for peer in _PEERS:
        theirs = comparison.measurement(peer)
        if ours is None or theirs is None:
            continue
        ratios.append([
            f"ours/{peer}",
            _x(ratio(ours.requests_per_second, theirs.requests_per_second)),
            _x(ratio(ours.p50_ms, theirs.p50_ms)),
            _x(ratio(ours.p99_ms, theirs.p99_ms)),
            _x(ratio(ours.cpu_ms_per_request, theirs.cpu_ms_per_request)),
            _x(ratio(ours.peak_rss_mib, theirs.peak_rss_mib)),
        ])  # fmt: skip
    if ratios:
        header = ["ratio", "throughput (higher better)", "p50 (lower better)",
                  "p99 (lower better)", "CPU/req (lower better)", "memory"]  # fmt: skip
        lines += _table(header, ratios)
    lines += [f"- skipped {name}: {reason.splitlines()[0]}" for name, reason in comparison.skipped]
    return [*lines, ""] if comparison.skipped else lines


def _overheads(results: Sequence[OverheadResult]) -> list[str]:
    header = ["fleet", "requests", "end-to-end p50 ms", "subgraph critical path p50 ms",
              "overhead p50 ms", "overhead p99 ms", "cold plan p50 ms",
              "warm plan p50 ms"]  # fmt: skip
    rows = [
        [r.fleet, r.requests, f"{r.total_p50_ms:.2f}", f"{r.critical_path_p50_ms:.2f}",
         f"{r.overhead_p50_ms:.3f}", f"{r.overhead_p99_ms:.3f}", f"{r.cold_plan_p50_ms:.3f}",
         f"{r.warm_plan_p50_ms:.4f}"]
        for r in results
    ]  # fmt: skip
    note = (
        "Sequential requests, in-process on asyncio's selector loop (the server runs "
        "uvloop), warm plan cache, the router's own HTTP client. Critical path: union of "
        "the intervals with a subgraph request on the wire (first byte out to last byte "
        "in); overhead = end-to-end - critical path, HTTP client work included."
    )
    by_subgraph = [
        f"- {r.fleet}, wire time per request by subgraph (p50, all fetches summed): "
        + ", ".join(f"{name} {ms:.2f} ms" for name, ms in r.wire_p50_ms_by_subgraph)
        for r in results
    ]
    return [*_table(header, rows), note, "", *by_subgraph, ""]


def _data_layer(results: Sequence[DataLayerResult]) -> list[str]:
    header = ["scale", "orders", "requests", "p50 ms", "p99 ms", "SQL statements/request",
              "BEGIN/COMMIT/ROLLBACK/request", "seq scans of big tables/request",
              "subgraph CPU ms/request"]  # fmt: skip
    rows = [
        [r.scale, f"{r.orders:,}", r.requests, f"{r.p50_ms:.1f}", f"{r.p99_ms:.1f}",
         f"{r.statements_per_request:.2f}", f"{r.transaction_commands_per_request:.2f}",
         f"{r.seq_scans_per_request:.2f}",
         f"{r.subgraph_cpu_ms_per_request:.1f}"]
        for r in results
    ]  # fmt: skip
    breakdown = [
        f"- {r.scale}: subgraph CPU ms per request: "
        + ", ".join(f"{name} {ms:.1f}" for name, ms in r.cpu_ms_per_request_by_subgraph)
        for r in results
    ]
    note = (
        "One request at a time through our router; CPU from /proc of each subgraph "
        "process over the measured requests (PostgreSQL's own CPU not included)."
    )
    return [*_table(header, rows), note, "", *breakdown, ""]


def _profile(profile: Profile) -> list[str]:
    load = profile.load
    lines = [f"{profile.samples} samples"]
    if load is not None:
        lines[0] += f" while serving {load.requests_per_second:.0f} req/s"
    lines += [""]
    lines += _table(["package of the innermost frame", "% of samples"],
                    [[n, f"{s:.1f}"] for n, s in profile.by_package])  # fmt: skip
    lines += _table(["hottest function (self)", "% of samples"],
                    [[f"`{n}`", f"{s:.1f}"] for n, s in profile.hottest])  # fmt: skip
    lines += _table(["router function (inclusive)", "% of samples"],
                    [[f"`{n}`", f"{s:.1f}"] for n, s in profile.router_inclusive])  # fmt: skip
    return lines


def _hostile_mixes(results: Sequence[HostileMixResult]) -> list[str]:
    header = ["normal traffic", "p99 ms quiet", "p99 ms with hostile client", "normal errors",
              "hostile requests", "hostile answers by status", "router peak RSS MiB"]  # fmt: skip
    rows = [
        [r.fleet, f"{r.quiet_p99_ms:.0f}", f"{r.hostile_p99_ms:.0f}", r.normal_errors,
         r.hostile_requests, ", ".join(f"{status}: {count}" for status, count in r.statuses),
         f"{r.peak_rss_mib:.0f}"]
        for r in results
    ]  # fmt: skip
    note = (
        "Our router alone; one window of normal load, then one with a second client sending "
        "the documents of bench/hostile.py (fragment bomb, 10,000 aliases, 1,000 aliased "
        "__schema, 1,000 overlapping fragments, a 1 MB field name) one at a time, each made "
        "distinct so no cache answers it."
    )
    return [*_table(header, rows), note, ""]


def _variant_comparison(comparison: VariantComparison) -> list[str]:
    lines = [f"### {comparison.title}", ""]
    header = ["variant", "req/s", "p50 ms", "p99 ms", "CPU ms/req", "peak RSS MiB", "errors"]
    lines += _table(header, _router_rows(comparison.measurements))
    rows = [
        [f"{r.variant} / {r.baseline}", _x(r.throughput), _x(r.p50), _x(r.p99),
         f"{r.p50_added_ms:+.2f}", "-" if target is None else target.description,
         "-" if target is None else ("met" if target.met_by(r) else "NOT met")]
        for r, target in comparison.ratios
    ]  # fmt: skip
    if rows:
        header = ["ratio", "throughput (higher better)", "p50", "p99", "p50 added ms",
                  "target", "result"]  # fmt: skip
        lines += _table(header, rows)
    lines += [f"- {name}: {description}" for name, description in comparison.descriptions]
    lines += [f"- skipped {name}: {reason.splitlines()[0]}" for name, reason in comparison.skipped]
    return [*lines, ""]


def _config_overhead(result: ConfigOverheadResult) -> list[str]:
    header = ["variant", "requests", "end-to-end p50 ms", "subgraph critical path p50 ms",
              "router overhead p50 ms", "router overhead p99 ms",
              "subgraph requests/req"]  # fmt: skip
    rows = [
        [t.name, result.requests, f"{t.total_p50_ms:.2f}", f"{t.critical_path_p50_ms:.2f}",
         f"{t.overhead_p50_ms:.3f}", f"{t.overhead_p99_ms:.3f}", f"{t.subgraph_requests:.0f}"]
        for t in result.timings
    ]  # fmt: skip
    baseline = result.timings[0].name
    added = [
        f"- added by {a.variant} (median of the per-request differences to {baseline}): "
        f"router overhead {a.router_overhead_ms:+.3f} ms, end-to-end {a.end_to_end_ms:+.3f} ms; "
        "wire time by subgraph: "
        + ", ".join(f"{name} {ms:+.2f} ms" for name, ms in a.wire_ms_by_subgraph)
        for a in result.added
    ]
    wire = [
        f"- {t.name}, wire time by subgraph (p50, all fetches summed): "
        + ", ".join(f"{name} {ms:.2f} ms" for name, ms in t.wire_p50_ms_by_subgraph)
        for t in result.timings
    ]
    remarks = [f"- {remark}" for remark in result.remarks]
    return [f"### {result.title}", "", *_table(header, rows), *added, *wire, *remarks, ""]


_CONFIG_OVERHEAD_NOTE = (
    "In-process, the whole app (security middleware, HTTP handling, pipeline) built from each "
    "variant's router.yaml, one request at a time, alternating between the variants against "
    "real subgraphs; added time = median of the per-request differences to the baseline; the "
    f"row{A_A_SUFFIX} is a second copy of the baseline: what its added time shows is noise. "
    "Work done in the subgraphs (identity checks, masking) shows end-to-end and in their "
    "wire time, not in the router overhead."
)


def _in_process_target_lines(results: RunResults) -> list[str]:
    lines = []
    for result in results.config_overheads:
        target, base = result.target, result.timings[0]
        if target is None:
            continue
        for added in result.added:
            if added.variant.endswith(A_A_SUFFIX):
                continue
            router_met = target.met_by(added.router_overhead_ms, base.total_p50_ms)
            total_met = target.met_by(added.end_to_end_ms, base.total_p50_ms)
            lines.append(
                f"- {result.title.split(':')[0]}, in-process, {added.variant} vs {base.name}: "
                f"{target.description}: router overhead {added.router_overhead_ms:+.3f} ms -> "
                f"{'met' if router_met else 'NOT met'}; end-to-end, subgraphs' share included: "
                f"{added.end_to_end_ms:+.3f} ms of {base.total_p50_ms:.2f} -> "
                f"{'met' if total_met else 'NOT met'}"
            )
    return lines


def _variant_target_lines(results: RunResults) -> list[str]:
    lines = []
    for comparison in results.variant_comparisons:
        for r, target in comparison.ratios:
            if target is None:
                continue
            lines.append(
                f"- {comparison.title.split(':')[0]}, {r.variant} vs {r.baseline}: "
                f"{target.description}: throughput {_x(r.throughput)}, p50 {_x(r.p50)} "
                f"({r.p50_added_ms:+.2f} ms), p99 {_x(r.p99)} -> "
                f"{'met' if target.met_by(r) else 'NOT met'}"
            )
    return lines


def _hostile_target_lines(results: RunResults) -> list[str]:
    lines = []
    for mix in results.hostile_mixes:
        met = (
            mix.hostile_p99_ms <= 2 * mix.quiet_p99_ms
            and mix.peak_rss_mib < 200
            and mix.server_errors == 0
        )
        lines.append(
            f"- hostile mix ({mix.fleet}): p99 within 2x ({mix.hostile_p99_ms:.0f} vs "
            f"{mix.quiet_p99_ms:.0f} ms), RSS < 200 MB ({mix.peak_rss_mib:.0f} MiB), zero 5xx "
            f"({mix.server_errors}) -> {'met' if met else 'NOT met'}"
        )
    return lines


def _workers(result: WorkersResult) -> list[str]:
    rows = [
        [
            row.workers,
            f"{row.requests_per_second:.0f}",
            f"{row.p50_ms:.1f}",
            f"{row.p99_ms:.1f}",
            f"{row.cores_used:.2f}",
            f"{row.cpu_ms_per_request:.2f}",
            f"{row.fleet_cores:.2f}",
            f"{row.machine_cores:.2f}",
        ]
        for row in result.rows
    ]
    header = ["workers", "req/s", "p50 ms", "p99 ms", "router cores", "router CPU ms/req"]
    header += ["fleet cores", "machine cores busy"]
    return [
        f"### {result.fleet}",
        "",
        *_table(header, rows),
        "",
        f"Pinning: {result.pinning}. Speed-up 2/1: {_x(result.speedup())}. Load average "
        f"when the stage began: {result.load_average:.1f} (other work on the machine). "
        "Cores: CPU seconds per second of load of the router (master and workers), of the "
        "fleet's one Node process, and of the whole machine (/proc/stat); 2 workers can only "
        "use what the fleet, the load generator and the rest leave.",
        "",
    ]


def _fault(result: FaultResult) -> list[str]:
    return [
        f"`{result.subgraph}` killed (SIGKILL) at {result.killed_at:.1f} s, started again at "
        f"{result.restarted_at:.1f} s, ready (its `/ready`) at {result.back_at:.1f} s; every "
        f"answer complete again from {_seconds(result.recovered_at)}; {len(result.samples)} "
        f"requests from {result.connections} connections (a Python client in the bench's "
        "process, customer-360 over the seeded customers; the router with its defaults: "
        "circuit breaker after 5 failures, 1 s cooldown).",
        "",
        *_table(
            ["window", "requests", "p50 ms", "p99 ms", "with errors", "partial data"],
            [
                _window("healthy", result.before),
                _window("down (no process)", result.down),
                _window("starting again", result.starting),
                _window("back", result.samples_after_back),
            ],
        ),
        "",
        f"5xx or no answer: {result.server_errors}; every answer complete "
        f"{_seconds(result.recovery_seconds)} after `/ready`.",
        "",
    ]


def _window(name: str, samples: Sequence[Sample]) -> list[object]:
    return [
        name,
        len(samples),
        f"{latency_ms(samples, 0.5):.1f}",
        f"{latency_ms(samples, 0.99):.1f}",
        sum(1 for s in samples if s.errors),
        sum(1 for s in samples if s.errors and s.data),
    ]


def _seconds(value: float | None) -> str:
    return "never" if value is None else f"{value:.1f} s"


def _scale_out_target_lines(results: RunResults) -> list[str]:
    lines = []
    for workers in results.workers:
        speedup = workers.speedup() or 0.0
        lines.append(
            f"- {workers.fleet}, 2 workers / 1 worker throughput >= 1.7x: {speedup:.2f}x -> "
            f"{'met' if speedup >= 1.7 else 'NOT met'} ({workers.pinning})"
        )
    for fault in results.faults:
        recovery = fault.recovery_seconds
        checks = [
            (
                f"p99 while down < 20 ms: {fault.p99_down_ms:.1f} ms (healthy before: "
                f"{latency_ms(fault.before, 0.99):.1f} ms)",
                fault.p99_down_ms < 20,
            ),
            (f"5xx: {fault.server_errors}", fault.server_errors == 0),
            (f"partial data while down: {fault.partial_share:.0%}", fault.partial_share > 0.9),
            (
                "recovery <= 2 s: " + ("never" if recovery is None else f"{recovery:.2f} s"),
                recovery is not None and recovery <= 2.0,
            ),
        ]
        for text, met in checks:
            lines.append(
                f"- fault ({fault.subgraph} down), {text} -> {'met' if met else 'NOT met'}"
            )
    return lines


def _target_lines(results: RunResults) -> list[str]:
    lines = _scale_out_target_lines(results) + _hostile_target_lines(results)
    lines += _variant_target_lines(results) + _in_process_target_lines(results)
    for comparison in results.comparisons:
        ours = comparison.measurement("ours")
        for peer, goal in zip(_PEERS, (1.5, 1.0), strict=True):
            theirs = comparison.measurement(peer)
            if ours is None or theirs is None:
                continue
            throughput = ratio(ours.requests_per_second, theirs.requests_per_second) or 0.0
            met = throughput >= goal and ours.p99_ms <= theirs.p99_ms
            lines.append(
                f"- {comparison.fleet}, ours/{peer} throughput >= {goal} and p99 no worse: "
                f"{throughput:.2f}x, p99 {ours.p99_ms:.0f} vs {theirs.p99_ms:.0f} ms -> "
                f"{'met' if met else 'NOT met'}"
            )
    for overhead in results.overheads:
        met = overhead.overhead_p50_ms < 1.0
        lines.append(
            f"- {overhead.fleet}, router overhead p50 < 1 ms (warm plan cache): "
            f"{overhead.overhead_p50_ms:.3f} ms -> {'met' if met else 'NOT met'}"
        )
        cold = overhead.cold_plan_p50_ms < 20.0
        lines.append(
            f"- {overhead.fleet}, cold planning p50 < 20 ms (parse, validate, normalise, plan "
            f"with its search, coverage check): {overhead.cold_plan_p50_ms:.2f} ms -> "
            f"{'met' if cold else 'NOT met'}"
        )
    largest = max(results.data_layer, key=lambda r: r.orders, default=None)
    if largest is not None:
        flat = len({round(r.statements_per_request, 2) for r in results.data_layer}) == 1
        lines.append(
            f"- customer-360 p50 < 15 ms at {largest.scale} orders: {largest.p50_ms:.1f} ms -> "
            f"{'met' if largest.p50_ms < 15 else 'NOT met'}; statements/request constant in "
            f"data size: {'yes' if flat else 'NO'}"
        )
    return lines


def render(results: RunResults) -> str:
    settings = results.settings
    lines = [
        "# Benchmark results",
        "",
        f"Written by `{' '.join(['python -m bench', results.command]).strip()}` on "
        f"{results.started} in {results.elapsed_seconds:.0f} s.",
        "",
        f"- Machine: {results.machine}",
        "- Versions: " + ", ".join(f"{k} {v}" for k, v in results.versions.items()),
        f"- Load: autocannon, {settings.connections} connections, {settings.warmup} s warm-up, "
        f"then {settings.rounds} rounds of {settings.duration} s per router, alternating; "
        "req/s and p50 are the mean of the rounds, p99 the worst round. Everything (subgraphs, "
        "routers, load generator) shares this machine: compare numbers within this file only.",
        "",
        "## Targets",
        "",
        *(_target_lines(results) or ["- nothing measured"]),
        "",
    ]
    if results.comparisons:
        lines += ["## Router throughput and latency", ""]
        for comparison in results.comparisons:
            lines += _comparison(comparison)
    if results.variant_comparisons:
        lines += ["## What features cost, measured side by side", ""]
        for variant_comparison in results.variant_comparisons:
            lines += _variant_comparison(variant_comparison)
    if results.overheads:
        lines += ["## Router overhead and planning time", "", *_overheads(results.overheads)]
    if results.config_overheads:
        lines += ["## What features cost per request, in-process", "", _CONFIG_OVERHEAD_NOTE, ""]
        for result in results.config_overheads:
            lines += _config_overhead(result)
    if results.data_layer:
        lines += ["## Data layer: customer-360 on PostgreSQL", "", *_data_layer(results.data_layer)]
    if results.hostile_mixes:
        lines += ["## Hostile mix", "", *_hostile_mixes(results.hostile_mixes)]
    if results.profile is not None:
        lines += ["## Profile of our router under load (py-spy)", "", *_profile(results.profile)]
    if results.workers:
        lines += ["## Router worker processes", ""]
        for workers in results.workers:
            lines += _workers(workers)
    if results.faults:
        lines += ["## Fault: a subgraph killed under load", ""]
        for fault in results.faults:
            lines += _fault(fault)
    if results.notes:
        lines += ["## Skipped and failed", "", *(f"- {note}" for note in results.notes), ""]
    return "\n".join(lines).rstrip() + "\n"
