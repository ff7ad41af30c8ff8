from __future__ import annotations

import os
import time

from bench.measure import cpu_seconds, peak_rss_mib


def test_cpu_seconds_grows_with_work() -> None:
    before = cpu_seconds(os.getpid())
    deadline = time.process_time() + 0.05
    while time.process_time() < deadline:
        pass
    assert cpu_seconds(os.getpid()) - before >= 0.03


def test_peak_rss_is_at_least_what_we_hold() -> None:
    baseline = peak_rss_mib(os.getpid())
    block = bytearray(64 * 1024 * 1024)
    block[::4096] = b"x" * len(block[::4096])
    assert peak_rss_mib(os.getpid()) >= max(baseline, 64)
