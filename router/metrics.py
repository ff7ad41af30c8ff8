"""Counters the router exposes on ``/metrics`` in Prometheus's text format.

Only what operators alert on is counted here (a Redis outage behind the rate limits,
requests refused by them); each component owns its counters and hands them to the app.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["PROMETHEUS_TEXT", "Counter", "render"]

PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"


class Counter:
    """A monotonic count (one process; Prometheus sums the replicas)."""

    def __init__(self, name: str, description: str) -> None:
        self.name = name
        self.description = description
        self.value = 0

    def inc(self, amount: int = 1) -> None:
        self.value += amount


def render(counters: Iterable[Counter]) -> str:
    """The exposition text of ``counters``, in their order."""
    lines = []
    for counter in counters:
        lines += [
            f"# HELP {counter.name} {counter.description}",
            f"# TYPE {counter.name} counter",
            f"{counter.name} {counter.value}",
        ]
    return "".join(line + "\n" for line in lines)
