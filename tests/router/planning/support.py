"""Build a planner from a supergraph and print the plan of a query, as the planner tests do."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from graphql import DocumentNode, OperationDefinitionNode

from router.operation import coerce_variables, normalize, parse_and_validate, select_operation
from router.plan import QueryPlan, format_plan
from router.planning import QueryPlanner
from router.supergraph import Supergraph

__all__ = ["FLEET", "SHOP", "plan", "plan_text", "planner"]

_TESTS = Path(__file__).resolve().parents[2]
FLEET = (_TESTS / "fixtures" / "fleet" / "supergraph.graphql").read_text(encoding="utf-8")
SHOP = (_TESTS / "router" / "shop" / "supergraph.graphql").read_text(encoding="utf-8")


@functools.cache
def planner(supergraph_sdl: str) -> QueryPlanner:
    return QueryPlanner(Supergraph.from_sdl(supergraph_sdl))


def plan(supergraph_sdl: str, query: str, variables: Mapping[str, Any] | None = None) -> QueryPlan:
    query_planner = planner(supergraph_sdl)
    schema = query_planner.supergraph.api_schema
    document = parse_and_validate(schema, query)
    assert isinstance(document, DocumentNode), document
    operation = select_operation(schema, document, None)
    assert isinstance(operation, OperationDefinitionNode), operation
    coerced = coerce_variables(schema, operation, variables)
    assert isinstance(coerced, dict), coerced
    return query_planner.plan(normalize(schema, document, operation, coerced))


def plan_text(supergraph_sdl: str, query: str, variables: Mapping[str, Any] | None = None) -> str:
    return format_plan(plan(supergraph_sdl, query, variables))
