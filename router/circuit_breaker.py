"""A circuit breaker per subgraph: a dead subgraph costs the client microseconds.

Closed, requests flow; ``failure_threshold`` consecutive failures (no response: refused
connection, timeout, an HTTP error without a GraphQL body) open it. Open, every request is
refused at once, without a connection attempt, until ``cooldown_seconds`` have passed;
then one request is let through as a probe (half-open): its success closes the breaker,
its failure opens it for another cool-down. A probe whose outcome never comes back (its
caller was cancelled) is replaced by another after a cool-down.

The clock is injected (``time.monotonic`` by default) so tests need no sleeps.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["DEFAULT_BREAKER", "BreakerPolicy", "CircuitBreaker", "CircuitState"]


class CircuitState(enum.Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass(frozen=True, slots=True)
class BreakerPolicy:
    failure_threshold: int = 5
    cooldown_seconds: float = 1.0


DEFAULT_BREAKER = BreakerPolicy()


class CircuitBreaker:
    def __init__(self, policy: BreakerPolicy, clock: Callable[[], float] = time.monotonic) -> None:
        self.policy = policy
        self._clock = clock
        self.state = CircuitState.CLOSED
        self.failures = 0  # consecutive
        self._since = 0.0  # when it opened, or when the probe started (half-open)
        self.short_circuited = 0  # requests refused without a connection attempt

    def allow(self) -> bool:
        """Whether a request may be sent now (counts the refusals)."""
        if self.state is CircuitState.CLOSED:
            return True
        if self._clock() - self._since >= self.policy.cooldown_seconds:
            self.state = CircuitState.HALF_OPEN  # this caller is the probe
            self._since = self._clock()
            return True
        self.short_circuited += 1
        return False

    def retry_after(self) -> float:
        """Seconds until the next probe may go."""
        return max(0.0, self.policy.cooldown_seconds - (self._clock() - self._since))

    def record_success(self) -> None:
        self.state = CircuitState.CLOSED
        self.failures = 0

    def record_failure(self) -> None:
        self.failures += 1
        if self.state is CircuitState.HALF_OPEN or self.failures >= self.policy.failure_threshold:
            self.state = CircuitState.OPEN
            self._since = self._clock()
