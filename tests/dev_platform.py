"""Start ``ops-platform dev`` (what ``make demo`` runs) as a real process, for the tests
that need the platform behind real sockets: the README's commands, Ctrl-C, a busy port,
a browser's CORS preflight."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

REPOSITORY = Path(__file__).resolve().parents[1]

__all__ = ["REPOSITORY", "DevProcess", "dev_command", "free_port", "start_dev_platform"]


def free_port(candidates: range) -> int:
    for port in candidates:
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {candidates}")


@dataclass
class DevProcess:
    process: subprocess.Popen[str]
    port: int
    stderr_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self, signum: int = signal.SIGINT) -> tuple[int, str]:
        """Send ``signum`` and wait; the exit code and everything printed."""
        if self.process.poll() is None:
            self.process.send_signal(signum)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        stdout = ""
        if self.process.stdout is not None and not self.process.stdout.closed:
            stdout = self.process.stdout.read()
            self.process.stdout.close()
        return self.process.returncode, stdout + self.stderr_path.read_text()


def dev_command(port: int) -> list[str]:
    return [sys.executable, "-m", "platform_cli", "dev", "--port", str(port), "--no-subgraph-ports"]


@contextlib.contextmanager
def start_dev_platform(directory: Path, port: int) -> Iterator[DevProcess]:
    """A dev platform on ``port`` over a fresh SQLite file in ``directory``; ready on entry."""
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{directory / 'dev.db'}"}
    env.pop("ROUTER_CHECK_COVERAGE", None)
    stderr_path = directory / "dev.stderr"
    with stderr_path.open("w") as stderr:
        process = subprocess.Popen(
            dev_command(port),
            cwd=REPOSITORY,
            env=env,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
    dev = DevProcess(process, port, stderr_path)
    try:
        _wait_until_ready(dev)
        yield dev
    finally:
        dev.stop(signal.SIGTERM)


def _wait_until_ready(dev: DevProcess) -> None:
    deadline = time.monotonic() + 120  # seeding the default scale takes a few seconds
    while time.monotonic() < deadline:
        assert dev.process.poll() is None, dev.stderr_path.read_text()
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{dev.url}/health/ready", timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise TimeoutError(f"the dev platform did not start: {dev.stderr_path.read_text()}")
