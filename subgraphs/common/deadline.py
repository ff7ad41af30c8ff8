"""Every GraphQL request of a subgraph runs under a deadline and stops when its client goes.

The router sends ``X-Deadline-Ms``: what is left of its budget for this subgraph request,
in integer milliseconds. A request without it gets :data:`DEFAULT_BUDGET_MS`; none gets
more than :data:`MAX_BUDGET_MS`. :class:`RequestGuard` reads the body (within the size
limit, 413 beyond it), runs the wrapped app as a task and cancels it when the budget
passes or the client disconnects: a 272-byte query whose result multiplies per level kept
a subgraph busy for minutes after the router had given up. A client still connected at
the deadline gets a GraphQL error with code ``TIMEOUT`` (HTTP 504).

Cancellation stops the work at its next ``await`` (every resolver that loads data is
one); a batch load already sent finishes its one statement, and the database's statement
timeout (``models.statement_timeout``) bounds that statement.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from subgraphs.common.body_limit import MAX_BODY_BYTES, ClientGone, PayloadTooLarge, read_body
from subgraphs.common.error_response import send_graphql_error

__all__ = [
    "DEADLINE_HEADER",
    "DEFAULT_BUDGET_MS",
    "MAX_BUDGET_MS",
    "GuardCounts",
    "RequestGuard",
    "budget_ms",
    "deadline_of",
]

logger = logging.getLogger("subgraphs.deadline")

DEADLINE_HEADER = "x-deadline-ms"
DEFAULT_BUDGET_MS = int(os.environ.get("SUBGRAPH_DEFAULT_DEADLINE_MS", "10000"))
MAX_BUDGET_MS = int(os.environ.get("SUBGRAPH_MAX_DEADLINE_MS", "60000"))
_HEADER = DEADLINE_HEADER.encode()
_SCOPE_KEY = "subgraphs.deadline"


def deadline_of(scope: Scope) -> float | None:
    """The ``time.monotonic()`` instant at which the request in ``scope`` must stop."""
    deadline = scope.get(_SCOPE_KEY)
    return deadline if isinstance(deadline, float) else None


def budget_ms(
    headers: Iterable[tuple[bytes, bytes]],
    default: int = DEFAULT_BUDGET_MS,
    maximum: int = MAX_BUDGET_MS,
) -> int:
    """The request's budget: its ``X-Deadline-Ms`` (at most ``maximum``, at least 0), or
    ``default`` when it has none or an unreadable one."""
    for name, value in headers:
        if name.lower() == _HEADER:
            text = value.decode("latin-1").strip()
            if text.isascii() and text.isdigit() and len(text) <= 12:
                return min(int(text), maximum)
            return default
    return default


@dataclass(slots=True)
class GuardCounts:
    """What the guard did, for health checks and tests."""

    completed: int = 0
    deadline_passed: int = 0
    disconnected: int = 0
    too_large: int = 0


async def _run_app(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
    await app(scope, receive, send)


async def _wait_for_disconnect(receive: Receive, gone: asyncio.Event) -> None:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            gone.set()
            return


class RequestGuard:
    """ASGI middleware: body limit, deadline and disconnect cancellation around ``app``."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        default_ms: int = DEFAULT_BUDGET_MS,
        maximum_ms: int = MAX_BUDGET_MS,
        max_body_bytes: int = MAX_BODY_BYTES,
    ) -> None:
        self.app = app
        self.default_ms = default_ms
        self.maximum_ms = maximum_ms
        self.max_body_bytes = max_body_bytes
        self.counts = GuardCounts()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            body = await read_body(scope, receive, self.max_body_bytes)
        except PayloadTooLarge:
            self.counts.too_large += 1
            await send_graphql_error(
                send,
                413,
                f"The request body is larger than {self.max_body_bytes} bytes",
                "PAYLOAD_TOO_LARGE",
            )
            return
        except ClientGone:
            self.counts.disconnected += 1
            return
        budget = budget_ms(scope.get("headers", ()), self.default_ms, self.maximum_ms)
        scope = {**scope, _SCOPE_KEY: time.monotonic() + budget / 1000}
        await self._run(scope, body, receive, send, budget)

    async def _run(
        self, scope: Scope, body: bytes, receive: Receive, send: Send, budget: int
    ) -> None:
        gone = asyncio.Event()
        started = False
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            await gone.wait()
            return {"type": "http.disconnect"}

        async def tracked_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        work: asyncio.Task[None] = asyncio.create_task(
            _run_app(self.app, scope, replay, tracked_send)
        )
        watcher = asyncio.create_task(_wait_for_disconnect(receive, gone))
        counted = False
        try:
            await asyncio.wait(
                {work, watcher}, timeout=budget / 1000, return_when="FIRST_COMPLETED"
            )
        finally:
            # Also when this task itself is cancelled (server shutdown, an in-process caller).
            if not work.done():
                work.cancel()
                await asyncio.gather(work, return_exceptions=True)
                self._cancelled(gone.is_set(), budget)
                counted = True
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
        if not work.cancelled():
            self.counts.completed += 1
            work.result()  # re-raise what the app raised
            return
        if not counted:  # it stopped itself at the deadline (execution_deadline) first
            self._cancelled(gone.is_set(), budget)
        if not gone.is_set() and not started:
            await send_graphql_error(
                send,
                504,
                f"The request did not complete within its deadline of {budget} ms",
                "TIMEOUT",
            )

    def _cancelled(self, disconnected: bool, budget: int) -> None:
        if disconnected:
            self.counts.disconnected += 1
            logger.debug("client disconnected: request cancelled")
        else:
            self.counts.deadline_passed += 1
            logger.info("request cancelled at its deadline of %d ms", budget)
