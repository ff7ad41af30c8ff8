"""What the plan coverage check (``router.planning.coverage``) adds to planning.

The check runs once per plan, on a plan cache miss, next to normalising and planning. This
measures, per query, the p50 of normalise + plan and of the check alone, in-process with no
I/O: the customer-360 query over the project's supergraph, and every plannable query of the
recorded fleet corpus over the fleet's supergraph (summed, to compare with its planning).

Run: ``.venv/bin/python -m bench.plan_coverage [--samples N]``.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from graphql import DocumentNode, OperationDefinitionNode

from bench.environment import BENCH_DIR, REPO_ROOT
from router.operation import (
    NormalizedOperation,
    coerce_variables,
    normalize,
    parse_and_validate,
    select_operation,
)
from router.planning import QueryPlanner
from router.planning.coverage import check_plan_coverage
from router.supergraph import Supergraph

__all__ = ["CoverageCost", "main", "measure"]

_FLEET_DIR = REPO_ROOT / "tests" / "fixtures" / "fleet"


class CoverageCost(NamedTuple):
    name: str
    plans: int
    plan_p50_ms: float  # normalise + plan, summed over the plans of one round
    check_p50_ms: float  # the coverage check, summed likewise


def _operation(
    supergraph: Supergraph, query: str, variables: Mapping[str, Any] | None
) -> Callable[[], NormalizedOperation] | None:
    """A function normalising ``query`` (what a plan cache miss does), None if invalid."""
    schema = supergraph.api_schema
    document = parse_and_validate(schema, query)
    if not isinstance(document, DocumentNode):
        return None
    definition = select_operation(schema, document, None)
    if not isinstance(definition, OperationDefinitionNode):
        return None
    coerced = coerce_variables(schema, definition, variables)
    if not isinstance(coerced, dict):
        return None
    return lambda: normalize(schema, document, definition, coerced)


def _p50_ms(run: Callable[[], object], samples: int) -> float:
    timings = []
    for _ in range(samples):
        started = time.perf_counter()
        run()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000


def measure(
    name: str, supergraph_sdl: str, queries: Sequence[tuple[str, Any]], samples: int
) -> CoverageCost:
    supergraph = Supergraph.from_sdl(supergraph_sdl)
    planner = QueryPlanner(supergraph)
    operations = [_operation(supergraph, query, variables) for query, variables in queries]
    normalizers = [op for op in operations if op is not None]
    normalized = [make() for make in normalizers]
    plans = [planner.plan(operation) for operation in normalized]
    pairs = list(zip(normalized, plans, strict=True))

    def plan_all() -> None:
        for make in normalizers:
            planner.plan(make())

    def check_all() -> None:
        for operation, plan in pairs:
            check_plan_coverage(operation, plan, supergraph)

    return CoverageCost(name, len(pairs), _p50_ms(plan_all, samples), _p50_ms(check_all, samples))


def _corpus() -> list[tuple[str, Any]]:
    from tests.fleet.corpus import load_corpus  # the recorded corpus lives with the tests

    return [(case.query, case.variables) for case in load_corpus() if not case.operation_name]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.plan_coverage")
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args(argv)
    customer_360 = (BENCH_DIR / "queries" / "customer-360.graphql").read_text(encoding="utf-8")
    results = [
        measure(
            "customer-360 (project supergraph)",
            (REPO_ROOT / "schema.graphql").read_text(encoding="utf-8"),
            [(customer_360, {"id": "1"})],
            args.samples,
        ),
        measure(
            "fleet corpus (fleet supergraph)",
            Path(_FLEET_DIR / "supergraph.graphql").read_text(encoding="utf-8"),
            _corpus(),
            max(1, args.samples // 10),
        ),
    ]
    print("| queries | plans | normalise + plan p50 | coverage check p50 | check / plan |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for result in results:
        ratio = result.check_p50_ms / result.plan_p50_ms
        print(
            f"| {result.name} | {result.plans} | {result.plan_p50_ms:.3f} ms "
            f"| {result.check_p50_ms:.3f} ms | {ratio:.0%} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
