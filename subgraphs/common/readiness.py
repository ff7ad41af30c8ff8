"""Start serving before the database answers, and become ready once it does.

A subgraph whose database was unreachable at start-up used to fail its lifespan (creating
tables) and exit for good. :class:`Readiness` retries the start-up step with exponential
backoff in the background instead; until it succeeds ``/ready`` answers 503 "starting"
(``/health``, liveness, 200 "starting") and ``/graphql`` SERVICE_UNAVAILABLE. Once started,
``/ready`` is 503 "unavailable" whenever the database does not answer. An app whose
lifespan never runs (mounted in-process) is ready from the start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from subgraphs.common.log_limit import RateLimitedLog

__all__ = ["Readiness"]

logger = logging.getLogger("subgraphs.readiness")


class Readiness:
    def __init__(
        self,
        name: str,
        start: Callable[[], Awaitable[None]],
        *,
        first_delay: float = 0.1,
        max_delay: float = 5.0,
    ) -> None:
        self.name = name
        self._start = start
        self.first_delay = first_delay
        self.max_delay = max_delay
        self.ready = True
        self.attempts = 0
        self.last_error: str | None = None
        self._task: asyncio.Task[None] | None = None
        self._log = RateLimitedLog(logger, interval=30.0)

    def begin(self) -> None:
        """Not ready until the start-up step has succeeded (retried in the background)."""
        self.ready = False
        self._task = asyncio.create_task(self._retry(), name=f"{self.name}-readiness")

    async def _retry(self) -> None:
        delay = self.first_delay
        while True:
            self.attempts += 1
            try:
                await self._start()
            except Exception as error:
                self.last_error = type(error).__name__
                self._log.warning(
                    "start-up", f"{self.name}: database not ready ({error!r:.300}), retrying"
                )
            else:
                self.ready = True
                self.last_error = None
                logger.info("%s: ready after %d attempt(s)", self.name, self.attempts)
                return
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.max_delay)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
