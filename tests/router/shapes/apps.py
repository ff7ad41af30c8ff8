"""The shapes subgraphs as ASGI apps, their supergraph, and an in-process transport.

``shapes_fixture()`` returns (supergraph SDL, ASGI apps by subgraph name) for other harnesses
(the differential tests); the supergraph is composed by ``router.composition`` from the
subgraphs' own SDL with routing URLs ``http://127.0.0.1:{base_port + i}/graphql`` in the
apps' order.
"""

from __future__ import annotations

import functools
from typing import Any

from starlette.types import ASGIApp
from strawberry.asgi import GraphQL

from router.composition import SubgraphSDL, compose
from tests.fleet.apps import FleetTransport
from tests.router.shapes import alpha, beta

__all__ = [
    "BASE_PORT",
    "QUERIES",
    "VARIABLES",
    "shapes_apps",
    "shapes_fixture",
    "shapes_transport",
    "supergraph_sdl",
]

BASE_PORT = 15201

# One or more queries per shape, in the order of the planner tests.
QUERIES = [
    "{ config { a b } }",  # shareable root value type spread over two subgraphs
    "{ products { name details { size x } } }",  # value type below an entity
    "{ featured { id } item { id ... on Book { title } ... on Movie { minutes } } }",
    "{ item { id ... on Movie { minutes } } }",  # the subgraph's own field type
    "{ products { sku weight } }",
    "{ nodes { ... on User { id } ... on Admin { id } } }",  # conflicting response keys
    "{ nodes { id ... on User { name } ... on Admin { level } } }",
    "{ search { ... on Book { title } ... on Movie { minutes } } }",  # partial union
    "{ topBook { id } search { __typename ... on Book { id } ... on Movie { minutes } } }",
    # an argument nullable in alpha, non-null in beta (so in the supergraph): the client's
    # variable definition is valid in both
    "query($name: String!) { greeting(name: $name) }",
]
# The variables of the queries that have some.
VARIABLES: dict[str, dict[str, Any]] = {QUERIES[-1]: {"name": "Ada"}}


def shapes_apps() -> dict[str, ASGIApp]:
    """In port order: alpha ``BASE_PORT``, beta ``BASE_PORT + 1``."""
    return {
        name: GraphQL(module.schema, graphql_ide=None)
        for name, module in (("alpha", alpha), ("beta", beta))
    }


@functools.cache
def supergraph_sdl(base_port: int = BASE_PORT) -> str:
    subgraphs = [
        SubgraphSDL(name, f"http://127.0.0.1:{base_port + offset}/graphql", module.schema.as_str())
        for offset, (name, module) in enumerate((("alpha", alpha), ("beta", beta)))
    ]
    result = compose(subgraphs)
    assert result.supergraph_sdl is not None, [error.message for error in result.errors]
    return result.supergraph_sdl


def shapes_fixture(base_port: int = BASE_PORT) -> tuple[str, dict[str, ASGIApp]]:
    """(supergraph SDL, ASGI apps by subgraph name) of the shapes subgraphs."""
    return supergraph_sdl(base_port), shapes_apps()


def shapes_transport(base_port: int = BASE_PORT) -> FleetTransport:
    """Reaches the apps in-process at their routing URLs, counting requests per subgraph."""
    return FleetTransport(shapes_apps(), base_port)
