"""A router over small in-process Strawberry subgraphs, composed by our composition.

For end-to-end tests of one federation shape: each test module defines its subgraph schemas
at module level, and ``ask`` answers a query through the router over them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from strawberry.asgi import GraphQL
from strawberry.federation import Schema

from router.composition.config import SubgraphConfig
from router.composition.sources import load_sdl
from router.pipeline import PreparedOperation, Router
from router.plan import format_plan
from router.request import GraphQLRequest, RequestError
from router.subgraph_client import SubgraphClients
from router.supergraph import Supergraph
from tests.fleet.apps import FleetTransport
from tests.router.planning.support import compose_supergraph

__all__ = ["ask", "supergraph_of"]

_BASE_PORT = 4601


def supergraph_of(module: str, names: tuple[str, ...]) -> str:
    """The supergraph of the schemas ``module.<name>``, routed to 127.0.0.1:4601 onwards."""
    sdl = {name: load_sdl(SubgraphConfig(name, "", module=f"{module}:{name}")) for name in names}
    supergraph = compose_supergraph(sdl)
    for offset, name in enumerate(names):
        url = f"http://127.0.0.1:{_BASE_PORT + offset}/graphql"
        supergraph = supergraph.replace(f"http://{name}/graphql", url)
    return supergraph


async def ask(
    module: str,
    schemas: Mapping[str, Schema],
    query: str,
    variables: Mapping[str, Any] | None = None,
) -> tuple[dict[str, Any], str]:
    """The router's answer to ``query`` over ``schemas`` (defined in ``module``) and its plan."""
    names = tuple(schemas)
    urls = {name: f"http://127.0.0.1:{_BASE_PORT + i}/graphql" for i, name in enumerate(names)}
    transport = FleetTransport({n: GraphQL(s) for n, s in schemas.items()}, _BASE_PORT)
    supergraph = Supergraph.from_sdl(supergraph_of(module, names))
    router = Router(supergraph, SubgraphClients(urls, transport=transport), 8)
    try:
        prepared = router.prepare(GraphQLRequest(query, None, dict(variables or {})))
        if isinstance(prepared, RequestError):
            return {"errors": [dict(e) for e in prepared.errors]}, ""
        assert isinstance(prepared, PreparedOperation)
        return await router.execute(prepared), format_plan(prepared.plan)
    finally:
        await router.aclose()
