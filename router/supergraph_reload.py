"""Supergraph hot reload: the router watches its ``schema.graphql`` and accepts SIGHUP.

A changed file (polled: mtime and size, then its SHA-256) is loaded and validated off the
event loop by ``build`` (parsing, the API schema, the planner, the same subgraphs as the
running router); then the new router replaces the old one in one assignment. A request
already running keeps the router it started with, so it finishes on the old supergraph;
the next one gets the new. An invalid file is refused with a log line and the old
supergraph keeps serving (the same file is not tried again until it changes).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

from router.pipeline import Router

__all__ = ["SupergraphReloader"]

_log = logging.getLogger(__name__)


def _digest(sdl: str) -> str:
    return hashlib.sha256(sdl.encode("utf-8")).hexdigest()


class SupergraphReloader:
    def __init__(
        self,
        path: Path,
        router: Router,
        build: Callable[[str], Router],
        *,
        loaded_sdl: str,
        poll_seconds: float = 1.0,
    ) -> None:
        """``router`` serves ``loaded_sdl`` (the file's content at start-up); the file is
        checked every ``poll_seconds`` (0: only on SIGHUP)."""
        self.path = path
        self.router = router
        self._build = build
        self.poll_seconds = poll_seconds
        self.digest = _digest(loaded_sdl)
        self._refused: str | None = None  # the digest of the last invalid file
        self.last_error: str | None = None
        self.reloads = 0
        self._listeners: list[Callable[[Router], None]] = []
        self._stamp = self._file_stamp()
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._signal_installed = False
        self._signal_task: asyncio.Task[bool] | None = None

    def subscribe(self, listener: Callable[[Router], None]) -> None:
        """``listener`` gets each new router."""
        self._listeners.append(listener)

    def status(self) -> dict[str, Any]:
        body: dict[str, Any] = {"loaded": True, "sha256": self.digest, "reloads": self.reloads}
        if self.last_error is not None:
            body["lastReloadError"] = self.last_error
        return body

    async def reload(self) -> bool:
        """Load the file if its content changed; whether a new supergraph now serves."""
        async with self._lock:
            try:
                sdl = self.path.read_text(encoding="utf-8")
            except OSError as error:
                return self._refuse(None, f"cannot read {self.path}: {error.strerror}")
            digest = _digest(sdl)
            if digest in (self.digest, self._refused):
                return False
            try:
                router = await asyncio.to_thread(self._build, sdl)
            except Exception as error:  # any reason the new supergraph cannot serve
                return self._refuse(digest, f"{type(error).__name__}: {error}")
            self.router = router
            for listener in self._listeners:
                listener(router)
            self.digest, self._refused, self.last_error = digest, None, None
            self.reloads += 1
            _log.info("supergraph reloaded from %s (sha256 %s)", self.path, digest[:12])
            return True

    def _refuse(self, digest: str | None, reason: str) -> bool:
        self._refused = digest
        self.last_error = reason
        _log.error(
            "supergraph reload refused, still serving sha256 %s: %s", self.digest[:12], reason
        )
        return False

    def _file_stamp(self) -> tuple[int, int] | None:
        try:
            stat = self.path.stat()
        except OSError:
            return None
        return stat.st_mtime_ns, stat.st_size

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self.poll_seconds)
            stamp = self._file_stamp()
            if stamp != self._stamp:
                self._stamp = stamp
                await self.reload()

    def _on_sighup(self) -> None:
        _log.info("SIGHUP: reloading the supergraph from %s", self.path)
        self._signal_task = asyncio.get_running_loop().create_task(self.reload())

    async def start(self) -> None:
        """Watch the file; reload on SIGHUP too (when running in the main thread)."""
        loop = asyncio.get_running_loop()
        if self.poll_seconds > 0:
            self._task = loop.create_task(self._watch(), name="supergraph-watch")
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signal.SIGHUP, self._on_sighup)
            self._signal_installed = True

    async def stop(self) -> None:
        if self._signal_installed:
            asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)
            self._signal_installed = False
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
