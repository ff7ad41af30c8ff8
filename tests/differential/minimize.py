"""Shrink a disagreeing query to a smallest one that disagrees the same way.

    .venv/bin/python -m tests.differential.minimize GRAPH INDEX [INDEX...]
    .venv/bin/python -m tests.differential.minimize GRAPH --query '{ ... }' [--variables JSON]

Greedy deletion: drop one selection (field, inline fragment or spread) at a time, keep the
drop when the query is still valid and :func:`tests.differential.report.explain` still
gives the same explanation (the same bug), until no single drop keeps it. Then aliases
are removed one at a time the same way. Serves the graph like the tests (needs Node).
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Sequence
from typing import Any

from graphql import (
    REMOVE,
    DocumentNode,
    FieldNode,
    FragmentSpreadNode,
    GraphQLSchema,
    InlineFragmentNode,
    Visitor,
    parse,
    print_ast,
    validate,
    visit,
)

from tests.differential import graphs
from tests.differential.generate import GeneratedQuery
from tests.differential.harness import Harness, queries_for, running
from tests.differential.known import without_unused_definitions
from tests.differential.report import explain, failure_report

__all__ = ["candidates", "main", "minimize"]


def _drop(text: str, target: int, what: str) -> str | None:
    """``text`` without its ``target``-th selection (``what="selection"``) or alias."""
    seen = -1

    class Dropper(Visitor):
        def enter(self, node: Any, *_: Any) -> Any:
            nonlocal seen
            if what == "selection" and isinstance(
                node, FieldNode | InlineFragmentNode | FragmentSpreadNode
            ):
                seen += 1
                return REMOVE if seen == target else None
            if what == "alias" and isinstance(node, FieldNode) and node.alias is not None:
                seen += 1
                if seen == target:
                    return FieldNode(
                        name=node.name,
                        arguments=node.arguments,
                        directives=node.directives,
                        selection_set=node.selection_set,
                    )
            return None

    document = visit(parse(text), Dropper())
    if target > seen:
        return None
    return _compact(without_unused_definitions(document))


def _compact(document: DocumentNode) -> str:
    """One line per definition (names and literals hold no runs of spaces here)."""
    return "\n".join(" ".join(print_ast(d).split()) for d in document.definitions)


def candidates(schema: GraphQLSchema, query: GeneratedQuery) -> list[GeneratedQuery]:
    """Every valid query one deletion smaller than ``query``."""
    found = []
    for what in ("selection", "alias"):
        target = 0
        while (text := _drop(query.text, target, what)) is not None:
            target += 1
            try:
                document = parse(text)
            except Exception:  # an empty selection set: not a query any more
                continue
            if validate(schema, document):
                continue
            used = {name for name in query.variables if f"${name}" in text}
            variables = {k: v for k, v in query.variables.items() if k in used}
            found.append(GeneratedQuery(query.index, text, variables, query.operation_name))
    return found


async def minimize(harness: Harness, query: GeneratedQuery) -> tuple[GeneratedQuery, str]:
    """The smallest query found that still disagrees with the same explanation."""
    outcome = await harness.outcome(query)
    verdict = await explain(harness, outcome)
    if outcome.agrees:
        return query, "agree"
    label = verdict.explanation
    progress = True
    while progress:
        progress = False
        for smaller in candidates(harness.router.api_schema, query):
            attempt = await harness.outcome(smaller)
            if attempt.agrees or (await explain(harness, attempt)).explanation != label:
                continue
            query, progress = smaller, True
            break
    return query, str(label)


async def _run(graph_name: str, queries: Sequence[GeneratedQuery]) -> None:
    graph = getattr(graphs, graph_name.upper())
    async with running(graph) as harness:
        for query in queries:
            smallest, label = await minimize(harness, query)
            outcome = await harness.outcome(smallest)
            print(f"# {graph_name} #{query.index}: {label}")
            print(failure_report(await explain(harness, outcome)))
            print()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.differential.minimize")
    parser.add_argument("graph", choices=sorted(graphs.PORT_BLOCKS))
    parser.add_argument("indexes", nargs="*", type=int)
    parser.add_argument("--query")
    parser.add_argument("--variables", default="{}")
    args = parser.parse_args(argv)
    graph = getattr(graphs, args.graph.upper())
    queries = []
    if args.indexes:
        generated = queries_for(graph, max(args.indexes) + 1)
        queries = [generated[index] for index in args.indexes]
    if args.query:
        queries.append(GeneratedQuery(0, args.query, json.loads(args.variables), None))
    asyncio.run(_run(args.graph, queries))


if __name__ == "__main__":
    main()
