"""Child processes of a benchmark run: start, wait until ready, stop by PID.

Every server is started with its output in a log file under the run's work directory, so a
process that dies before it is ready is reported with the end of its log. ``ProcessGroup``
stops everything it started, newest first (SIGTERM, then SIGKILL after a grace period).
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import httpx

__all__ = [
    "ManagedProcess",
    "ProcessGroup",
    "StartupError",
    "http_ready",
    "log_line_ready",
]

ReadyCheck = Callable[["ManagedProcess"], bool]


class StartupError(RuntimeError):
    """A child process exited or did not become ready in time."""


@dataclass(frozen=True, slots=True)
class ManagedProcess:
    name: str
    popen: subprocess.Popen[bytes]
    log_path: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def log_tail(self, lines: int = 15) -> str:
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def ready_line(self, prefix: str) -> str | None:
        """The first line of the log starting with ``prefix``, if any yet."""
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return next((line for line in text.splitlines() if line.startswith(prefix)), None)

    def stop(self, grace_seconds: float = 5.0) -> None:
        if self.popen.poll() is not None:
            return
        self.popen.send_signal(signal.SIGTERM)
        try:
            self.popen.wait(grace_seconds)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()


def http_ready(url: str) -> ReadyCheck:
    """Ready when ``url`` answers a GET with any status below 500."""

    def check(_process: ManagedProcess) -> bool:
        try:
            return httpx.get(url, timeout=1.0).status_code < 500
        except httpx.HTTPError:
            return False

    return check


def log_line_ready(prefix: str) -> ReadyCheck:
    """Ready when the process has printed a line starting with ``prefix`` (e.g. ``READY``)."""
    return lambda process: process.ready_line(prefix) is not None


@dataclass(slots=True)
class ProcessGroup:
    """Starts processes and stops all of them on exit (also on error or Ctrl-C)."""

    log_dir: Path
    processes: list[ManagedProcess] = field(default_factory=list)

    def start(
        self,
        name: str,
        argv: Sequence[str],
        ready: ReadyCheck,
        *,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        timeout: float = 60.0,
    ) -> ManagedProcess:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log_path = self.log_dir / f"{name}.log"
        with log_path.open("wb") as log:
            popen = subprocess.Popen(
                list(argv),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env={**os.environ, **(env or {})},
                cwd=cwd,
            )
        process = ManagedProcess(name, popen, log_path)
        self.processes.append(process)
        _wait_ready(process, ready, timeout)
        return process

    def stop(self, process: ManagedProcess) -> None:
        process.stop()
        self.processes.remove(process)

    def stop_all(self) -> None:
        while self.processes:
            self.processes.pop().stop()

    def __enter__(self) -> ProcessGroup:
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self.stop_all()


def _wait_ready(process: ManagedProcess, ready: ReadyCheck, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.popen.poll() is not None:
            raise StartupError(
                f"{process.name} exited with {process.popen.returncode}:\n{process.log_tail()}"
            )
        if ready(process):
            return
        time.sleep(0.1)
    raise StartupError(f"{process.name} not ready after {timeout:.0f}s:\n{process.log_tail()}")
