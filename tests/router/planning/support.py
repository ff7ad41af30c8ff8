"""Build a planner from subgraph SDLs (composed with ``router.composition``) or from a supergraph,
and print the plan of a query, as Apollo's ``build_query_plan_tests`` do."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from graphql import DocumentNode, OperationDefinitionNode

from router.composition import SubgraphSDL, compose
from router.composition.config import SubgraphConfig
from router.composition.sources import load_sdl
from router.operation import (
    NormalizedOperation,
    coerce_variables,
    normalize,
    parse_and_validate,
    select_operation,
)
from router.plan import QueryPlan, format_plan
from router.planning import QueryPlanner
from router.planning.coverage import CoverageGap, check_plan_coverage
from router.supergraph import Supergraph

__all__ = [
    "FLEET",
    "FLEET_SUBGRAPHS",
    "SHOP",
    "SHOP_SUBGRAPHS",
    "compose_supergraph",
    "coverage_gaps",
    "fetch_count",
    "operation",
    "plan",
    "plan_for",
    "plan_text",
    "planner",
]

_TESTS = Path(__file__).resolve().parents[2]
FLEET = (_TESTS / "fixtures" / "fleet" / "supergraph.graphql").read_text(encoding="utf-8")
SHOP = (_TESTS / "router" / "shop" / "supergraph.graphql").read_text(encoding="utf-8")

# The subgraphs of FLEET and SHOP (given their routing URLs, composition reproduces both exactly).
FLEET_SUBGRAPHS = {
    path.stem: path.read_text(encoding="utf-8")
    for path in sorted((_TESTS / "fixtures" / "fleet" / "schemas").glob("*.graphql"))
}
SHOP_SUBGRAPHS = {
    name: load_sdl(
        SubgraphConfig(name, f"http://{name}/graphql", module=f"tests.router.shop.{name}:schema")
    )
    for name in ("catalog", "inventory", "reviews")
}


def compose_supergraph(subgraphs: Mapping[str, str]) -> str:
    """Compose subgraph name -> Federation 2 SDL into a supergraph SDL; fail if it does not."""
    return _compose(tuple(subgraphs.items()))


@functools.cache
def _compose(subgraphs: tuple[tuple[str, str], ...]) -> str:
    result = compose([SubgraphSDL(name, f"http://{name}/graphql", sdl) for name, sdl in subgraphs])
    assert result.supergraph_sdl is not None, [error.message for error in result.errors]
    return result.supergraph_sdl


@functools.cache
def planner(supergraph_sdl: str) -> QueryPlanner:
    return QueryPlanner(Supergraph.from_sdl(supergraph_sdl))


def operation(
    supergraph_sdl: str, query: str, variables: Mapping[str, Any] | None = None
) -> NormalizedOperation:
    """``query`` normalized against the API schema of ``supergraph_sdl``."""
    schema = planner(supergraph_sdl).supergraph.api_schema
    document = parse_and_validate(schema, query)
    assert isinstance(document, DocumentNode), document
    definition = select_operation(schema, document, None)
    assert isinstance(definition, OperationDefinitionNode), definition
    coerced = coerce_variables(schema, definition, variables)
    assert isinstance(coerced, dict), coerced
    return normalize(schema, document, definition, coerced)


def plan(supergraph_sdl: str, query: str, variables: Mapping[str, Any] | None = None) -> QueryPlan:
    """The plan of ``query``, which must pass the plan coverage check."""
    normalized = operation(supergraph_sdl, query, variables)
    query_planner = planner(supergraph_sdl)
    built = query_planner.plan(normalized)
    gaps = check_plan_coverage(normalized, built, query_planner.supergraph)
    assert not gaps, "\n".join([*map(str, gaps), format_plan(built)])
    return built


def coverage_gaps(
    supergraph_sdl: str, query: str, variables: Mapping[str, Any] | None = None
) -> list[CoverageGap]:
    """The coverage gaps (``router.planning.coverage``) of the plan of ``query``."""
    normalized = operation(supergraph_sdl, query, variables)
    query_planner = planner(supergraph_sdl)
    return check_plan_coverage(normalized, query_planner.plan(normalized), query_planner.supergraph)


def plan_text(supergraph_sdl: str, query: str, variables: Mapping[str, Any] | None = None) -> str:
    return format_plan(plan(supergraph_sdl, query, variables))


def plan_for(
    subgraphs: Mapping[str, str], query: str, variables: Mapping[str, Any] | None = None
) -> str:
    """The printed plan of ``query`` over the composition of ``subgraphs``."""
    return plan_text(compose_supergraph(subgraphs), query, variables)


def fetch_count(printed_plan: str) -> int:
    """The number of subgraph requests of a printed plan (ours or Apollo's)."""
    return printed_plan.count("Fetch(")
