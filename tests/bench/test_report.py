from __future__ import annotations

from bench.config_overhead import (
    A_A_SUFFIX,
    AddedTarget,
    AddedTime,
    ConfigOverheadResult,
    VariantTiming,
)
from bench.data_layer import DataLayerResult
from bench.fault import FaultResult, Sample
from bench.hostile_mix import HostileMixResult
from bench.overhead import OverheadResult
from bench.report import RunResults, ratio, render
from bench.routers import FleetComparison, LoadSettings, RouterMeasurement
from bench.side_by_side import Target, VariantComparison, variant_ratio
from bench.workers_scaling import WorkersResult, WorkersRow

BY_SUBGRAPH = (("orders", 2.5), ("products", 1.0))


def _results() -> RunResults:
    comparison = FleetComparison(
        "Node fleet",
        (
            RouterMeasurement("ours", 600.0, 30.0, 80.0, 1.5, 60.0, 0),
            RouterMeasurement("Apollo Gateway", 300.0, 60.0, 120.0, 3.0, 150.0, 0),
        ),
        (("Hive Gateway", "not installed: node is not installed"),),
    )
    return RunResults(
        started="2026-01-01 00:00 UTC",
        elapsed_seconds=100.0,
        machine="test machine",
        versions={"python": "3.11"},
        settings=LoadSettings(),
        command="--quick",
        comparisons=[comparison],
        overheads=[
            OverheadResult("Node fleet", 300, 6.0, 4.0, 2.0, 3.0, 1.5, 0.003, (("accounts", 1.25),))
        ],
        data_layer=[
            DataLayerResult("10k", 10_000, 200, 9.0, 20.0, 8.0, 16.0, 0.0, (("orders", 2.0),)),
            DataLayerResult("1M", 1_000_000, 200, 12.0, 25.0, 8.0, 16.0, 0.0, BY_SUBGRAPH),
        ],
    )


def test_statement_column_only_when_counted() -> None:
    results = _results()
    assert "subgraph SQL statements/req" not in render(results)
    counted = FleetComparison(
        "project fleet",
        (
            RouterMeasurement("ours", 30.0, 500.0, 900.0, 3.0, 50.0, 0, 9.5),
            RouterMeasurement("Hive Gateway", 130.0, 140.0, 300.0, 6.0, 300.0, 0, 0.5),
        ),
        (),
    )
    results.comparisons.append(counted)
    markdown = render(results)
    assert "| ours | 30 | 500 | 900 | 3.00 | 50 | 0 | 9.50 |" in markdown
    assert "| Hive Gateway | 130 | 140 | 300 | 6.00 | 300 | 0 | 0.50 |" in markdown


def test_ratio() -> None:
    assert ratio(3.0, 2.0) == 1.5
    assert ratio(3.0, 0.0) is None


def test_render_has_tables_ratios_targets_and_skips() -> None:
    markdown = render(_results())
    assert "Written by `python -m bench --quick` on 2026-01-01 00:00 UTC in 100 s." in markdown
    assert "| ours | 600 | 30 | 80 | 1.50 | 60 | 0 |" in markdown
    assert "| ours/Apollo Gateway | 2.00x | 0.50x | 0.67x | 0.50x | 0.40x |" in markdown
    assert "ours/Apollo Gateway throughput >= 1.5 and p99 no worse: 2.00x" in markdown
    assert "-> met" in markdown
    assert "router overhead p50 < 1 ms (warm plan cache): 2.000 ms -> NOT met" in markdown
    assert "12.0 ms -> met; statements/request constant in data size: yes" in markdown
    assert "(p50, all fetches summed): accounts 1.25 ms" in markdown
    assert "- skipped Hive Gateway: not installed: node is not installed" in markdown
    assert "| 1M | 1,000,000 | 200 | 12.0 | 25.0 | 8.00 | 16.00 | 0.00 | 3.5 |" in markdown
    assert "- 1M: subgraph CPU ms per request: orders 2.5, products 1.0" in markdown


def test_hostile_mix_table_and_target() -> None:
    results = _results()
    results.hostile_mixes.append(
        HostileMixResult("customer-360", 40.0, 70.0, 0, 25, ((200, 5), (400, 20)), 120.0)
    )
    markdown = render(results)
    assert "## Hostile mix" in markdown
    assert "| customer-360 | 40 | 70 | 0 | 25 | 200: 5, 400: 20 | 120 |" in markdown
    assert "zero 5xx (0) -> met" in markdown
    results.hostile_mixes[0] = results.hostile_mixes[0]._replace(statuses=((500, 1),))
    assert "zero 5xx (1) -> NOT met" in render(results)


def _variant_results() -> RunResults:
    results = _results()
    target = Target("p50 added < 0.2 ms, throughput within 10%", 0.9, max_p50_added_ms=0.2)
    off = RouterMeasurement("security off", 100.0, 10.0, 30.0, 2.0, 90.0, 0)
    on = RouterMeasurement("security on", 95.0, 10.1, 31.0, 2.1, 92.0, 0)
    results.variant_comparisons.append(
        VariantComparison(
            "security cost: customer-360",
            (off, on),
            ((variant_ratio(on, off), target),),
            (("security on", "router.yaml: authentication"),),
            (),
        )
    )
    results.config_overheads.append(
        ConfigOverheadResult(
            "security cost: project fleet",
            300,
            (
                VariantTiming("security off", 30.0, 28.0, 2.0, 4.0, 7, (("customers", 3.0),)),
                VariantTiming("security on", 30.5, 28.3, 2.1, 4.2, 7, (("customers", 3.25),)),
            ),
            (
                AddedTime("security on", 0.05, 0.4, (("customers", 0.25),)),
                AddedTime("security off" + A_A_SUFFIX, 0.0, 0.3),
            ),
            AddedTarget("p50 added < 0.2 ms", max_added_ms=0.2),
            ("customer 1: security on: email 'j***@example.com'",),
        )
    )
    return results


def test_variant_ratios_and_targets_are_rendered() -> None:
    markdown = render(_variant_results())
    assert "| security on | 95 | 10 | 31 | 2.10 | 92 | 0 |" in markdown
    assert (
        "| security on / security off | 0.95x | 1.01x | 1.03x | +0.10 | "
        "p50 added < 0.2 ms, throughput within 10% | met |"
    ) in markdown
    assert "- security on: router.yaml: authentication" in markdown
    assert "security cost, security on vs security off: p50 added < 0.2 ms" in markdown


def test_in_process_targets_skip_the_noise_floor_copy() -> None:
    markdown = render(_variant_results())
    target_lines = markdown.split("## Targets")[1].split("##")[0]
    assert (
        "- security cost, in-process, security on vs security off: p50 added < 0.2 ms: router "
        "overhead +0.050 ms -> met; end-to-end, subgraphs' share included: +0.400 ms of 30.00 "
        "-> NOT met"
    ) in target_lines
    assert A_A_SUFFIX not in target_lines
    assert f"- added by security off{A_A_SUFFIX} (median of the per-request" in markdown
    assert "wire time by subgraph: customers +0.25 ms" in markdown
    assert "| security on | 300 | 30.50 | 28.30 | 2.100 | 4.200 | 7 |" in markdown
    assert "- customer 1: security on: email 'j***@example.com'" in markdown


def test_an_in_process_share_target_is_relative_to_the_baseline_p50() -> None:
    within = AddedTarget("p50 within 5%", max_added_fraction=0.05)
    assert within.met_by(1.5, 30.0) and not within.met_by(1.6, 30.0)
    absolute = AddedTarget("p50 added < 0.2 ms", max_added_ms=0.2)
    assert absolute.met_by(0.19, 1.0) and not absolute.met_by(0.2, 100.0)


def test_sections_without_measurements_are_left_out() -> None:
    results = _variant_results()
    results.comparisons.clear()
    results.data_layer.clear()
    markdown = render(results)
    assert "## Router throughput and latency" not in markdown
    assert "## Data layer" not in markdown
    assert "## What features cost, measured side by side" in markdown


def test_workers_and_fault_sections_and_targets() -> None:
    results = _results()
    results.workers.append(
        WorkersResult(
            "Node fleet",
            (
                WorkersRow(1, 500.0, 20.0, 50.0, 0.9, 1.8, 0.4, 1.9),
                WorkersRow(2, 900.0, 11.0, 30.0, 1.6, 1.8, 0.5, 2.0),
            ),
            "not pinned: 2 cores",
            5.0,
        )
    )
    down = [Sample(1.5 + i / 100, 4.0, 200, errors=True, data=True) for i in range(100)]
    samples = (Sample(0.5, 9.0, 200, False, True), *down, Sample(4.5, 9.0, 200, False, True))
    results.faults.append(FaultResult("marketing", 2, 1.0, 3.0, 4.0, samples))
    text = render(results)
    assert "## Router worker processes" in text and "| 2 | 900 | 11.0 | 30.0 | 1.60 |" in text
    assert "2 workers / 1 worker throughput >= 1.7x: 1.80x -> met (not pinned: 2 cores)" in text
    assert "## Fault: a subgraph killed under load" in text
    assert "| down (no process) | 100 | 4.0 | 4.0 | 100 | 100 |" in text
    assert "p99 while down < 20 ms: 4.0 ms (healthy before: 9.0 ms) -> met" in text
    assert "recovery <= 2 s: 0.00 s -> met" in text
