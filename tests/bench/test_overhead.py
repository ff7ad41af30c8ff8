from __future__ import annotations

import pytest

from bench.overhead import percentile
from bench.wire_timing import busy_time


def test_busy_time_counts_overlapping_intervals_once() -> None:
    assert busy_time([(0.0, 2.0), (1.0, 3.0), (5.0, 6.0)]) == pytest.approx(4.0)


def test_busy_time_of_nested_and_unsorted_intervals() -> None:
    assert busy_time([(4.0, 5.0), (0.0, 10.0), (2.0, 3.0)]) == pytest.approx(10.0)
    assert busy_time([]) == 0.0


def test_percentile_picks_the_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == 51.0
    assert percentile(values, 0.99) == 99.0
    assert percentile([7.0], 0.99) == 7.0
