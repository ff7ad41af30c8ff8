from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bench.processes import ProcessGroup, StartupError, log_line_ready

READY_THEN_SLEEP = "import time; print('READY at=1', flush=True); time.sleep(60)"


def test_start_waits_for_the_ready_line_and_stops_on_exit(tmp_path: Path) -> None:
    with ProcessGroup(tmp_path) as group:
        process = group.start("sleeper", [sys.executable, "-c", READY_THEN_SLEEP],
                              log_line_ready("READY"))  # fmt: skip
        assert process.ready_line("READY") == "READY at=1"
        assert process.popen.poll() is None
    assert process.popen.poll() is not None
    assert group.processes == []


def test_a_process_that_dies_reports_its_log(tmp_path: Path) -> None:
    argv = [sys.executable, "-c", "import sys; print('boom: no config'); sys.exit(3)"]
    with ProcessGroup(tmp_path) as group, pytest.raises(StartupError, match="boom: no config"):
        group.start("failing", argv, log_line_ready("READY"))


def test_a_process_that_never_gets_ready_times_out(tmp_path: Path) -> None:
    argv = [sys.executable, "-c", "import time; time.sleep(60)"]
    with ProcessGroup(tmp_path) as group, pytest.raises(StartupError, match="not ready"):
        group.start("silent", argv, log_line_ready("READY"), timeout=0.5)
