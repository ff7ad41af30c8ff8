"""The customer-360 query at growing data sizes on PostgreSQL.

For each scale: its seeded database (see :mod:`bench.databases`), the five project subgraphs
on it and our router in front. Requests go one at a time (latency, not throughput) and
cycle through customers that have at least 20 orders. The SQL statements the subgraphs
executed are read from their counters (:mod:`bench.counted_subgraph`), and the sequential
scans of the big tables from ``pg_stat_user_tables``: with the right indexes and batching
both stay flat as the data grows.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import asyncpg
import httpx

from bench.counted_subgraph import STATEMENTS_PATH
from bench.databases import DataScale, asyncpg_url, sqlalchemy_url
from bench.fleets import (
    ProjectFleet,
    project_supergraph,
    start_project_subgraphs,
    write_supergraph,
)
from bench.measure import cpu_seconds
from bench.overhead import percentile
from bench.peer_supergraph import without_access_control
from bench.processes import ProcessGroup
from bench.routers import OURS

__all__ = [
    "BIG_TABLES",
    "DataLayerResult",
    "DatabaseCounts",
    "customers_with_orders",
    "measure_customer_360",
    "subgraph_counts",
    "subgraph_statements",
]

BIG_TABLES = ("orders", "order_lines", "purchase_facts")
_STATS_FLUSH_SECONDS = 1.2  # PostgreSQL publishes table statistics at most once a second


class DataLayerResult(NamedTuple):
    scale: str
    orders: int
    requests: int
    p50_ms: float
    p99_ms: float
    statements_per_request: float
    transaction_commands_per_request: float
    seq_scans_per_request: float
    cpu_ms_per_request_by_subgraph: tuple[tuple[str, float], ...]

    @property
    def subgraph_cpu_ms_per_request(self) -> float:
        return sum(ms for _, ms in self.cpu_ms_per_request_by_subgraph)


async def customers_with_orders(database: str, minimum: int = 20, limit: int = 20) -> list[str]:
    """IDs of up to ``limit`` customers with at least ``minimum`` orders, lowest ids first."""
    connection = await asyncpg.connect(asyncpg_url(database), timeout=5)
    try:
        rows = await connection.fetch(
            "SELECT customer_id FROM orders GROUP BY customer_id HAVING count(*) >= $1 "
            "ORDER BY customer_id LIMIT $2",
            minimum,
            limit,
        )
    finally:
        await connection.close()
    return [str(row["customer_id"]) for row in rows]


async def _seq_scans(database: str) -> int:
    connection = await asyncpg.connect(asyncpg_url(database), timeout=5)
    try:
        total = await connection.fetchval(
            "SELECT COALESCE(sum(seq_scan), 0) FROM pg_stat_user_tables WHERE relname = ANY($1)",
            list(BIG_TABLES),
        )
    finally:
        await connection.close()
    return int(total)


class DatabaseCounts(NamedTuple):
    statements: int
    transaction_commands: int


def subgraph_counts(urls: Mapping[str, str]) -> DatabaseCounts:
    """What the counted subgraphs at ``urls`` have sent their databases so far."""
    statements = transaction_commands = 0
    for url in urls.values():
        counts = httpx.get(url.replace("/graphql", STATEMENTS_PATH), timeout=5.0).json()
        statements += int(counts["statements"])
        transaction_commands += int(counts["transactionCommands"])
    return DatabaseCounts(statements, transaction_commands)


def subgraph_statements(urls: Mapping[str, str]) -> int:
    """The SQL statements the counted subgraphs at ``urls`` have executed so far."""
    return subgraph_counts(urls).statements


async def _latencies(
    client: httpx.AsyncClient, router_url: str, bodies: Sequence[Mapping[str, Any]], count: int
) -> list[float]:
    latencies = []
    for index in range(count):
        started = time.perf_counter()
        response = await client.post(router_url, json=bodies[index % len(bodies)])
        latencies.append(time.perf_counter() - started)
        answer = response.json()
        if response.status_code != 200 or answer.get("errors") or not answer.get("data"):
            raise ValueError(f"customer-360 failed (HTTP {response.status_code}): {answer}")
    return latencies


async def _measure(
    scale: DataScale, router_url: str, fleet: ProjectFleet, query: str, requests: int
) -> DataLayerResult:
    ids = await customers_with_orders(scale.database)
    if not ids:
        raise ValueError(f"{scale.database} has no customer with 20 orders")
    bodies = [{"query": query, "variables": {"id": customer_id}} for customer_id in ids]
    async with httpx.AsyncClient(timeout=30.0) as client:
        await _latencies(client, router_url, bodies, len(bodies))  # warm-up: caches, pools
        await asyncio.sleep(_STATS_FLUSH_SECONDS)
        counts, scans = subgraph_counts(fleet.urls), await _seq_scans(scale.database)
        cpu = {name: cpu_seconds(pid) for name, pid in fleet.pids.items()}
        latencies = await _latencies(client, router_url, bodies, requests)
        cpu = {name: cpu_seconds(pid) - cpu[name] for name, pid in fleet.pids.items()}
        after = subgraph_counts(fleet.urls)
        await asyncio.sleep(_STATS_FLUSH_SECONDS)
        scans = await _seq_scans(scale.database) - scans
    return DataLayerResult(
        scale.label,
        scale.orders,
        requests,
        1000 * statistics.median(latencies),
        1000 * percentile(latencies, 0.99),
        (after.statements - counts.statements) / requests,
        (after.transaction_commands - counts.transaction_commands) / requests,
        scans / requests,
        tuple((name, 1000 * seconds / requests) for name, seconds in cpu.items()),
    )


def measure_customer_360(
    scale: DataScale,
    query: str,
    *,
    log_dir: Path,
    base_port: int,
    requests: int = 200,
    tuned: bool = False,
) -> DataLayerResult:
    """Start the subgraphs and router on ``scale``'s database and time the query."""
    with ProcessGroup(log_dir) as group:
        fleet = start_project_subgraphs(
            group, base_port, sqlalchemy_url(scale.database), f"data-{scale.label}", tuned=tuned
        )
        sdl = without_access_control(project_supergraph(fleet.urls))  # the data layer measured
        supergraph = write_supergraph(log_dir, f"project-{scale.label}", sdl)
        OURS.start(group, supergraph, base_port + 9, f"data-{scale.label}")
        router_url = f"http://127.0.0.1:{base_port + 9}/graphql"
        result = asyncio.run(_measure(scale, router_url, fleet, query, requests))
    return result._replace(scale=f"{scale.label}, tuned what-if") if tuned else result
