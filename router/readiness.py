"""Readiness: can the router reach every subgraph right now, and how fast?

``/health`` stays a liveness check (the process answers; restart it when it does not).
``/ready`` (also ``/health/ready``) asks each subgraph ``{ __typename }`` through the
router's own connection pools (so an open circuit breaker answers at once), all at once,
and reports each one's reachability and round-trip time: 200 when every subgraph
answered, 503 otherwise (take the instance out of rotation, or read which domain is down).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from router.subgraph_client import SubgraphClients, SubgraphRequestError

__all__ = ["PROBE_QUERY", "Readiness", "SubgraphStatus", "check_readiness"]

PROBE_QUERY = "{ __typename }"
DEFAULT_PROBE_TIMEOUT = 2.0


@dataclass(frozen=True, slots=True)
class SubgraphStatus:
    name: str
    url: str
    reachable: bool
    latency_ms: float
    error: str | None = None

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "url": self.url,
            "reachable": self.reachable,
            "latencyMs": self.latency_ms,
        }
        if self.error is not None:
            body["error"] = self.error
        return body


@dataclass(frozen=True, slots=True)
class Readiness:
    subgraphs: tuple[SubgraphStatus, ...]

    @property
    def ready(self) -> bool:
        return all(status.reachable for status in self.subgraphs)

    @property
    def status_code(self) -> int:
        return 200 if self.ready else 503

    def as_json(self) -> dict[str, Any]:
        return {
            "status": "ready" if self.ready else "unavailable",
            "subgraphs": {status.name: status.as_json() for status in self.subgraphs},
        }


async def check_readiness(
    clients: SubgraphClients, timeout: float = DEFAULT_PROBE_TIMEOUT
) -> Readiness:
    """Probe every subgraph concurrently; none takes longer than ``timeout`` seconds."""
    names = sorted(clients.urls)
    statuses = await asyncio.gather(*(_probe(clients, name, timeout) for name in names))
    return Readiness(tuple(statuses))


async def _probe(clients: SubgraphClients, name: str, timeout: float) -> SubgraphStatus:
    started = time.perf_counter()
    error: str | None = None
    try:
        async with asyncio.timeout(timeout):
            body = await clients.fetch(name, PROBE_QUERY, None)
        error = _error_of(body)
    except TimeoutError:
        error = f"no answer within {timeout:g}s"
    except SubgraphRequestError as failure:
        error = failure.message
    latency = round((time.perf_counter() - started) * 1000, 1)
    url = clients.urls[name]
    return SubgraphStatus(name, url, error is None, latency, error)


def _error_of(body: Mapping[str, Any]) -> str | None:
    data = body.get("data")
    if isinstance(data, Mapping) and isinstance(data.get("__typename"), str):
        return None
    errors = body.get("errors") or [{}]
    return str(errors[0].get("message", "no data")) if isinstance(errors[0], Mapping) else "error"
