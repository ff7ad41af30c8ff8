"""The fault test's windows and recovery, from samples (the run itself needs the fleet)."""

from __future__ import annotations

from bench.fault import FaultResult, Sample, latency_ms


def _result(samples: list[Sample]) -> FaultResult:
    # killed at 1 s, started again at 3 s, ready at 4 s
    return FaultResult("marketing", 2, 1.0, 3.0, 4.0, tuple(samples))


def _ok(at: float, ms: float = 5.0) -> Sample:
    return Sample(at, ms, 200, errors=False, data=True)


def _partial(at: float, ms: float = 5.0) -> Sample:
    return Sample(at, ms, 200, errors=True, data=True)


def test_windows_split_at_the_kill_the_restart_and_ready() -> None:
    result = _result([_ok(0.5), _partial(1.5, 8.0), _partial(2.5, 12.0), _partial(3.5), _ok(4.5)])
    assert [s.started for s in result.before] == [0.5]
    assert [s.started for s in result.down] == [1.5, 2.5]
    assert [s.started for s in result.starting] == [3.5]
    assert [s.started for s in result.samples_after_back] == [4.5]
    assert result.p99_down_ms == 12.0 and result.partial_share == 1.0
    assert result.server_errors == 0


def test_recovery_is_counted_from_ready_to_the_first_answer_after_the_last_error() -> None:
    result = _result([_partial(2.0), _partial(4.5), _ok(4.8), _ok(5.5)])
    assert result.recovered_at == 4.8
    assert round(result.recovery_seconds or 0, 6) == 0.8


def test_answers_complete_before_ready_recover_at_once() -> None:
    result = _result([_partial(2.0), _ok(3.5), _ok(4.5)])
    assert result.recovery_seconds == 0.0


def test_errors_to_the_end_never_recover_and_5xx_are_counted() -> None:
    failed = Sample(4.6, 1.0, 502, errors=True, data=False)
    unanswered = Sample(4.7, 1.0, 0, errors=True, data=False)
    result = _result([_ok(4.5), failed, unanswered])
    assert result.recovery_seconds is None
    assert result.server_errors == 2


def test_latency_percentiles() -> None:
    samples = [_ok(0.1, float(ms)) for ms in range(1, 101)]
    assert latency_ms(samples, 0.5) == 51.0 and latency_ms(samples, 0.99) == 100.0
    assert latency_ms([], 0.99) == 0.0
