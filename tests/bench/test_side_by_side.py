from __future__ import annotations

import pytest

from bench.routers import RouterMeasurement
from bench.side_by_side import Target, VariantRatio, variant_ratio


def _measured(name: str, rps: float, p50: float, p99: float) -> RouterMeasurement:
    return RouterMeasurement(name, rps, p50, p99, 1.0, 50.0, 0)


def test_ratios_are_variant_over_baseline_with_the_p50_added() -> None:
    ratio = variant_ratio(_measured("on", 96.0, 10.5, 30.0), _measured("off", 100.0, 10.0, 25.0))
    assert ratio.variant == "on" and ratio.baseline == "off"
    assert ratio.throughput == pytest.approx(0.96)
    assert ratio.p50 == pytest.approx(1.05)
    assert ratio.p99 == pytest.approx(1.2)
    assert ratio.p50_added_ms == pytest.approx(0.5)


def test_a_baseline_measured_at_zero_has_no_ratio() -> None:
    ratio = variant_ratio(_measured("on", 5.0, 1.0, 2.0), _measured("off", 0.0, 0.0, 0.0))
    assert ratio.throughput is None and ratio.p50 is None and ratio.p99 is None
    assert not Target("any", 0.0).met_by(ratio)


def test_within_five_percent_needs_throughput_p50_and_p99() -> None:
    target = Target("within 5%", 0.95, max_latency_ratio=1.05)
    assert target.met_by(VariantRatio("on", "off", 0.96, 1.04, 1.05, 0.1))
    assert not target.met_by(VariantRatio("on", "off", 0.94, 1.0, 1.0, 0.0))
    assert not target.met_by(VariantRatio("on", "off", 1.0, 1.06, 1.0, 0.3))
    assert not target.met_by(VariantRatio("on", "off", 1.0, 1.0, 1.06, 0.0))


def test_p50_added_is_an_absolute_bound() -> None:
    target = Target("p50 added < 0.2 ms, throughput within 10%", 0.9, max_p50_added_ms=0.2)
    assert target.met_by(VariantRatio("on", "off", 0.91, 1.5, 3.0, 0.19))
    assert not target.met_by(VariantRatio("on", "off", 0.91, 1.0, 1.0, 0.2))
    assert not target.met_by(VariantRatio("on", "off", 0.89, 1.0, 1.0, 0.0))
