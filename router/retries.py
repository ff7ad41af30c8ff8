"""Retries of subgraph queries whose connection failed before any response.

Only a query is sent again (a mutation never is: the subgraph may have applied it), and
only when nothing of a response arrived: a refused or reset connection, or one closed
before the status line. Attempt ``n`` (from 1) waits a random time in
``[0, min(max_delay, base_delay * 2 ** (n - 1))]`` before it goes ("full jitter": callers
that failed together do not come back together). Every attempt stays within the
request's own deadline, which the caller enforces around the whole loop.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

__all__ = [
    "DEFAULT_RETRIES",
    "NO_RETRIES",
    "ConnectionFailedError",
    "RetryPolicy",
    "backoff_delay",
    "with_retries",
]

T = TypeVar("T")


class ConnectionFailedError(Exception):
    """The subgraph connection failed before any byte of a response arrived."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_retries: int = 2  # attempts after the first
    base_delay: float = 0.02  # seconds
    max_delay: float = 0.5


DEFAULT_RETRIES = RetryPolicy()
NO_RETRIES = RetryPolicy(max_retries=0)


def backoff_delay(policy: RetryPolicy, retry: int, random_fraction: float) -> float:
    """The wait before retry number ``retry`` (from 1); ``random_fraction`` in ``[0, 1)``."""
    ceiling: float = min(policy.max_delay, policy.base_delay * 2.0 ** (retry - 1))
    return ceiling * random_fraction


async def with_retries(
    policy: RetryPolicy,
    attempt: Callable[[], Awaitable[T]],
    *,
    may_retry: Callable[[], bool] = lambda: True,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    random_fraction: Callable[[], float] = random.random,
) -> T:
    """``attempt()`` until it does not raise :class:`ConnectionFailedError` or the retries
    are spent; ``may_retry`` is asked before each retry (the circuit breaker's say)."""
    retry = 0
    while True:
        try:
            return await attempt()
        except ConnectionFailedError:
            retry += 1
            if retry > policy.max_retries or not may_retry():
                raise
        await sleep(backoff_delay(policy, retry, random_fraction()))
