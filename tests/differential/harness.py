"""Run generated queries through our router and Apollo Gateway over the same live subgraphs.

:func:`running` serves a fixture graph's subgraphs, starts Apollo Gateway over its
supergraph (Hive Gateway too, on first use, as a tie-breaker) and builds our router
(in-process, reaching the subgraphs over HTTP like Apollo does). :meth:`Harness.run` sends
every query to both with bounded concurrency and returns one :class:`Outcome` per query.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from router.pipeline import PreparedOperation, Router
from router.request import GraphQLRequest, RequestError
from tests.differential.compare import differences
from tests.differential.generate import GeneratedQuery, generate_many
from tests.differential.graphs import FixtureGraph
from tests.fleet.record import started
from tests.peers import PEERS_DIR, without_access_control
from tests.project_access import STAFF

__all__ = [
    "DEFAULT_QUERIES",
    "SEED",
    "Harness",
    "Outcome",
    "queries_for",
    "query_count",
    "running",
]

DEFAULT_QUERIES = 500
SEED = "differential-1"
CONCURRENCY = 8
_HEADERS = {"content-type": "application/json", "accept": "application/json"}


def query_count() -> int:
    """``$DIFFERENTIAL_QUERIES`` or 500."""
    return int(os.environ.get("DIFFERENTIAL_QUERIES") or DEFAULT_QUERIES)


def queries_for(graph: FixtureGraph, count: int) -> list[GeneratedQuery]:
    from router.supergraph import Supergraph

    schema = Supergraph.from_sdl(graph.supergraph_sdl).api_schema
    return generate_many(schema, graph.arguments, f"{SEED}-{graph.name}", count, graph.options)


@dataclass(frozen=True, slots=True)
class Outcome:
    graph: str
    query: GeneratedQuery
    ours: dict[str, Any]
    apollo: dict[str, Any]
    plan: str
    differences: tuple[str, ...]

    @property
    def agrees(self) -> bool:
        return not self.differences


@dataclass(slots=True)
class Harness:
    graph: FixtureGraph
    router: Router
    apollo_url: str
    client: httpx.AsyncClient
    _stack: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)
    _hive_url: str | None = None

    async def ask_gateway(self, url: str, query: GeneratedQuery) -> dict[str, Any]:
        response = await self.client.post(url, json=query.request_body(), headers=_HEADERS)
        try:
            body: dict[str, Any] = response.json()
        except ValueError:
            return {"errors": [{"message": f"HTTP {response.status_code}: {response.text}"}]}
        return body

    async def ask_router(self, query: GeneratedQuery) -> tuple[dict[str, Any], str]:
        request = GraphQLRequest(query.text, query.operation_name, query.variables or None)
        prepared = self.router.prepare(request, STAFF)  # the peers do not enforce access
        if isinstance(prepared, RequestError):
            return {"errors": [dict(error) for error in prepared.errors]}, ""
        assert isinstance(prepared, PreparedOperation)
        return await self.router.execute(prepared), self.router.explain(prepared)

    async def ask_hive(self, query: GeneratedQuery) -> dict[str, Any]:
        if self._hive_url is None:
            self._hive_url = self._stack.enter_context(
                _gateway("hive.mjs", self.graph.supergraph_sdl, self.graph.hive_port)
            )
        return await self.ask_gateway(self._hive_url, query)

    async def outcome(self, query: GeneratedQuery) -> Outcome:
        (ours, plan), apollo = await asyncio.gather(
            self.ask_router(query), self.ask_gateway(self.apollo_url, query)
        )
        found = tuple(differences(ours, apollo))
        return Outcome(self.graph.name, query, ours, apollo, plan, found)

    async def run(self, queries: Sequence[GeneratedQuery]) -> list[Outcome]:
        limit = asyncio.Semaphore(CONCURRENCY)

        async def bounded(query: GeneratedQuery) -> Outcome:
            async with limit:
                return await self.outcome(query)

        return list(await asyncio.gather(*(bounded(query) for query in queries)))


@contextlib.contextmanager
def _gateway(script: str, supergraph_sdl: str, port: int) -> Iterator[str]:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "supergraph.graphql"
        path.write_text(without_access_control(supergraph_sdl), encoding="utf-8")
        args = ["node", str(PEERS_DIR / script), "--supergraph", str(path), "--port", str(port)]
        with started(args, cwd=PEERS_DIR) as url:
            yield url


@contextlib.asynccontextmanager
async def running(graph: FixtureGraph) -> AsyncIterator[Harness]:
    """The graph's subgraphs, Apollo Gateway over them, and our router; all stopped after."""
    async with graph.serve():
        with _gateway("gateway.mjs", graph.supergraph_sdl, graph.gateway_port) as apollo_url:
            router = Router.from_supergraph_sdl(graph.supergraph_sdl)
            limits = httpx.Limits(max_connections=CONCURRENCY * 2)
            async with httpx.AsyncClient(timeout=30.0, limits=limits) as client:
                harness = Harness(graph, router, apollo_url, client)
                try:
                    yield harness
                finally:
                    harness._stack.close()
                    await router.aclose()
