"""A pre-fork master: fork one worker per listening socket, replace a worker that dies,
relay signals, exit 0 after a clean shutdown.

- SIGTERM or SIGINT: relayed to every worker (each one shuts down gracefully: stops
  accepting, finishes what is in flight, closes its pools); the master exits once all have
  exited, 0 when every one exited 0. A second SIGINT is relayed too (uvicorn then stops at
  once).
- SIGHUP: relayed to every worker (the router reloads its supergraph); a worker ignores it
  until it installs its own handler, so a worker still starting is not killed by it.
- A worker that exits while the master is not stopping is replaced on the same socket. One
  that dies within ``startup_seconds`` of being started (a crash at start-up) is replaced
  after ``restart_delay`` seconds; after ``max_fast_failures`` such deaths in a row the
  master stops the others and exits 1 rather than fork forever.

Workers run in their own process group, so a terminal's Ctrl-C reaches the master only
(which relays it once), and get SIGTERM if the master dies (Linux ``PR_SET_PDEATHSIG``).
The master creates no thread and no event loop before forking; everything a worker serves
with (the app, its caches, its connection pools) is built in the worker.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import socket
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

__all__ = ["Supervisor", "WorkerSlot"]

_log = logging.getLogger(__name__)
_SIGNALS = frozenset({signal.SIGCHLD, signal.SIGTERM, signal.SIGINT, signal.SIGHUP})
_PR_SET_PDEATHSIG = 1
_Mask = set[signal.Signals | int]  # a signal mask, as pthread_sigmask returns it


@dataclass(frozen=True, slots=True)
class WorkerSlot:
    """What a worker gets: its index (0 to workers-1) and its listening socket."""

    index: int
    socket: socket.socket


@dataclass(slots=True)
class _Running:
    pid: int
    started: float


@dataclass(slots=True)
class _State:
    running: dict[int, _Running] = field(default_factory=dict)  # slot index -> process
    restarts: dict[int, float] = field(default_factory=dict)  # slot index -> when to fork
    stopping: bool = False
    failed: bool = False
    fast_failures: int = 0


class Supervisor:
    def __init__(
        self,
        sockets: Sequence[socket.socket],
        run_worker: Callable[[WorkerSlot], int],
        *,
        restart_delay: float = 1.0,
        startup_seconds: float = 5.0,
        max_fast_failures: int = 5,
    ) -> None:
        """``run_worker`` runs in each forked worker and returns its exit status."""
        self.slots = tuple(WorkerSlot(index, sock) for index, sock in enumerate(sockets))
        self._run_worker = run_worker
        self.restart_delay = restart_delay
        self.startup_seconds = startup_seconds
        self.max_fast_failures = max_fast_failures
        self._state = _State()

    def run(self) -> int:
        """Serve until stopped; the master's exit status."""
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
        try:
            for slot in self.slots:
                self._fork(slot, previous)
            while self._state.running or not self._state.stopping:
                self._step(previous)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)
            for slot in self.slots:
                slot.socket.close()
        return 1 if self._state.failed else 0

    def _step(self, mask: _Mask) -> None:
        info = signal.sigtimedwait(_SIGNALS, self._wait_seconds())
        if info is not None:
            self._on_signal(signal.Signals(info.si_signo))
        self._reap()
        now = time.monotonic()
        for index, when in list(self._state.restarts.items()):
            if when <= now and not self._state.stopping:
                del self._state.restarts[index]
                self._fork(self.slots[index], mask)

    def _wait_seconds(self) -> float:
        if not self._state.restarts:
            return 1.0
        return max(0.0, min(self._state.restarts.values()) - time.monotonic())

    def _on_signal(self, signum: signal.Signals) -> None:
        if signum == signal.SIGCHLD:
            return
        if signum == signal.SIGHUP:
            if not self._state.stopping:
                _log.info("SIGHUP: relayed to %d workers", len(self._state.running))
                self._signal_all(signal.SIGHUP)
            return
        if not self._state.stopping:
            _log.info("%s: stopping %d workers", signum.name, len(self._state.running))
        self._stop(signal.SIGINT if signum == signal.SIGINT else signal.SIGTERM)

    def _stop(self, signum: signal.Signals) -> None:
        """The workers stop accepting and close their sockets; the master closes its copies,
        so new connections are refused rather than queued for nobody."""
        self._state.stopping = True
        self._state.restarts.clear()
        for slot in self.slots:
            slot.socket.close()
        self._signal_all(signum)

    def _signal_all(self, signum: signal.Signals) -> None:
        for running in self._state.running.values():
            with contextlib.suppress(ProcessLookupError):
                os.kill(running.pid, signum)

    def _reap(self) -> None:
        while self._state.running:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            index = next((i for i, r in self._state.running.items() if r.pid == pid), None)
            if index is not None:
                self._exited(index, self._state.running.pop(index), status)

    def _exited(self, index: int, running: _Running, status: int) -> None:
        code = os.waitstatus_to_exitcode(status)
        if self._state.stopping:
            if code != 0:
                _log.error("worker %d (pid %d) exited with status %d", index, running.pid, code)
                self._state.failed = True
            return
        lived = time.monotonic() - running.started
        fast = lived < self.startup_seconds
        self._state.fast_failures = self._state.fast_failures + 1 if fast else 0
        if self._state.fast_failures >= self.max_fast_failures:
            _log.error(
                "worker %d (pid %d) exited with status %d, the %d-th crash at start-up in a "
                "row: stopping",
                index, running.pid, code, self._state.fast_failures,
            )  # fmt: skip
            self._state.failed = True
            self._stop(signal.SIGTERM)
            return
        delay = self.restart_delay if fast else 0.0
        _log.warning(
            "worker %d (pid %d) exited with status %d after %.1f s: replacing it in %.1f s",
            index, running.pid, code, lived, delay,
        )  # fmt: skip
        self._state.restarts[index] = time.monotonic() + delay

    def _fork(self, slot: WorkerSlot, mask: _Mask) -> None:
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        master = os.getpid()
        pid = os.fork()
        if pid == 0:
            os._exit(self._in_worker(slot, mask, master))
        self._state.running[slot.index] = _Running(pid, time.monotonic())
        _log.info("worker %d started (pid %d)", slot.index, pid)

    def _in_worker(self, slot: WorkerSlot, mask: _Mask, master: int) -> int:
        code = 1
        try:
            os.setpgid(0, 0)
            _die_with_parent()
            if os.getppid() != master:  # the master died before that took effect
                return code
            for other in self.slots:
                if other is not slot:
                    other.socket.close()
            signal.signal(signal.SIGHUP, signal.SIG_IGN)  # until the worker handles it
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
            code = self._run_worker(slot)
        except BaseException:  # whatever happens, the forked copy of the master never returns
            traceback.print_exc()
        finally:
            for stream in (sys.stdout, sys.stderr):
                with contextlib.suppress(Exception):
                    stream.flush()
        return code


def _die_with_parent() -> None:
    """SIGTERM this worker when the master dies (Linux only; elsewhere a no-op)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
