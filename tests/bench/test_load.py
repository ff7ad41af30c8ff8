from __future__ import annotations

from bench.load import LoadResult


def test_load_result_from_the_load_generator_report() -> None:
    report = {
        "probes": 3,
        "requestsPerSecond": 512.5,
        "totalRequests": 4100,
        "latencyMs": {"p50": 30, "p90": 41, "p99": 77, "max": 120},
        "errors": 1,
        "timeouts": 2,
        "non2xx": 3,
    }
    assert LoadResult.from_json(report) == LoadResult(512.5, 4100, 3, 30.0, 77.0, 6)
