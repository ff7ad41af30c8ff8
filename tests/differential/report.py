"""Explain each disagreement (:mod:`tests.differential.known`), and report the rest.

:func:`check_graph` is what a ``test_<graph>.py`` calls: generate the queries, run them,
explain the disagreements, write the JSON report when ``$DIFFERENTIAL_REPORT`` is set, and
fail with a readable report of every unexplained disagreement (query, variables, both
answers truncated, Hive's answer, our plan) and of every known router bug that no longer
shows (it was fixed: delete its entry).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.differential.compare import differences, truncated
from tests.differential.generate import GeneratedQuery
from tests.differential.graphs import FixtureGraph
from tests.differential.harness import (
    DEFAULT_QUERIES,
    Harness,
    Outcome,
    queries_for,
    query_count,
    running,
)
from tests.differential.known import (
    KNOWN_DISAGREEMENTS,
    asked_a_subgraph_that_cannot_resolve,
    documented_apollo_bug,
    has_alias,
    in_spec_order_already,
    known_router_bug,
    renamed_aliases,
    restore_aliases,
    same_but_for_indexes,
    same_but_for_key_order,
    without_excluded,
)
from tests.peers import REPOSITORY

__all__ = ["Verdict", "check_graph", "explain", "failure_report"]


@dataclass(frozen=True, slots=True)
class Verdict:
    outcome: Outcome
    explanation: str | None
    """The known router bug's name, or ``apollo-...``; None when unexplained."""
    hive: dict[str, Any] | None = None


async def explain(harness: Harness, outcome: Outcome) -> Verdict:
    known = known_router_bug(outcome.query, harness.router.supergraph, outcome.ours)
    if known is not None:
        return Verdict(outcome, known.name)
    if same_but_for_indexes(outcome.ours, outcome.apollo) and outcome.ours.get("errors"):
        return Verdict(outcome, "apollo-entity-error-index")
    ours_in_order = in_spec_order_already(harness.router.api_schema, outcome.query, outcome.ours)
    if ours_in_order and same_but_for_key_order(outcome.ours, outcome.apollo):
        return Verdict(outcome, "apollo-key-order")
    for name, rewritten in _equivalent_queries(outcome.query):
        answer = restore_aliases(await harness.ask_gateway(harness.apollo_url, rewritten))
        if not differences(outcome.ours, answer):
            return Verdict(outcome, name)
        if ours_in_order and same_but_for_key_order(outcome.ours, answer):
            return Verdict(outcome, f"{name}+key-order")
        if outcome.ours.get("errors") and same_but_for_indexes(outcome.ours, answer):
            return Verdict(outcome, f"{name}+entity-error-index")
    documented = documented_apollo_bug(outcome.query)
    if documented is not None:
        return Verdict(outcome, documented)
    if asked_a_subgraph_that_cannot_resolve(
        harness.router.supergraph, outcome.query, outcome.apollo
    ):
        return Verdict(outcome, "apollo-entities-from-unresolvable-subgraph")
    hive = await harness.ask_hive(outcome.query)
    if not differences(outcome.ours, hive):  # the second reference agrees with us
        return Verdict(outcome, "apollo-alone-hive-agrees-with-us", hive)
    return Verdict(outcome, None, hive)


def _equivalent_queries(query: GeneratedQuery) -> list[tuple[str, GeneratedQuery]]:
    """The same query with its aliases renamed, without its excluded selections, or both:
    when Apollo answers one of them as we answered the original, Apollo is the one wrong."""
    rewrites = []
    renamed = renamed_aliases(query) if has_alias(query) else None
    if renamed is not None:
        rewrites.append(("apollo-alias-collision", renamed))
    stripped = without_excluded(query)
    if stripped is not None:
        rewrites.append(("apollo-skipped-selection", stripped))
        if renamed is not None:
            both = without_excluded(renamed)
            if both is not None:
                rewrites.append(("apollo-alias-collision+skipped-selection", both))
    return rewrites


def failure_report(verdict: Verdict) -> str:
    outcome = verdict.outcome
    lines = [
        f"=== {outcome.graph} query #{outcome.query.index}",
        outcome.query.text,
        f"variables: {json.dumps(outcome.query.variables)}",
        *(f"  {line}" for line in outcome.differences),
        f"ours:   {truncated(json.dumps(_without_stacktraces(outcome.ours)))}",
        f"apollo: {truncated(json.dumps(_without_stacktraces(outcome.apollo)))}",
    ]
    if verdict.hive is not None:
        same = (
            "= ours"
            if not differences(outcome.ours, verdict.hive)
            else (
                "= apollo" if not differences(outcome.apollo, verdict.hive) else "differs from both"
            )
        )
        lines.append(f"hive ({same}): {truncated(json.dumps(_without_stacktraces(verdict.hive)))}")
    lines.append("our plan:\n" + (outcome.plan or "(none)"))
    return "\n".join(lines)


def _without_stacktraces(body: dict[str, Any]) -> dict[str, Any]:
    errors = [
        {**e, "extensions": {k: v for k, v in e.get("extensions", {}).items() if k != "stacktrace"}}
        if isinstance(e, dict) and isinstance(e.get("extensions"), dict)
        else e
        for e in body.get("errors") or ()
    ]
    return {**body, "errors": errors} if errors else body


def _write_report(graph: FixtureGraph, outcomes: list[Outcome], verdicts: list[Verdict]) -> None:
    target = os.environ.get("DIFFERENTIAL_REPORT")
    if not target:
        return
    directory = REPOSITORY / "var" / "differential" if target == "1" else Path(target)
    directory.mkdir(parents=True, exist_ok=True)
    report = {
        "graph": graph.name,
        "queries": len(outcomes),
        "agreements": sum(outcome.agrees for outcome in outcomes),
        "disagreements": [
            {
                "index": v.outcome.query.index,
                "explanation": v.explanation,
                "query": v.outcome.query.text,
                "variables": v.outcome.query.variables,
                "differences": list(v.outcome.differences),
                "ours": _without_stacktraces(v.outcome.ours),
                "apollo": _without_stacktraces(v.outcome.apollo),
                "hive": v.hive and _without_stacktraces(v.hive),
                "plan": v.outcome.plan,
            }
            for v in verdicts
        ],
    }
    path = directory / f"{graph.name}.json"
    path.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


async def check_graph(graph: FixtureGraph) -> Counter[str]:
    """Run the graph's queries; fail on unexplained disagreements or stale known bugs.

    Returns how many disagreements each explanation covered (and ``agree``)."""
    count = query_count()
    queries = queries_for(graph, count)
    async with running(graph) as harness:
        outcomes = await harness.run(queries)
        verdicts = [await explain(harness, o) for o in outcomes if not o.agrees]
    _write_report(graph, outcomes, verdicts)
    tally = Counter(v.explanation or "unexplained" for v in verdicts)
    tally["agree"] = sum(outcome.agrees for outcome in outcomes)
    problems = [failure_report(v) for v in verdicts if v.explanation is None]
    if count >= DEFAULT_QUERIES:
        problems += [
            f"=== known router bug {known.name!r} explained no disagreement: fixed? "
            "Delete it from KNOWN_DISAGREEMENTS (tests/differential/known.py)."
            for known in KNOWN_DISAGREEMENTS
            if graph.name in known.graphs and not tally[known.name]
        ]
    assert not problems, f"{graph.name}: {dict(tally)}\n\n" + "\n\n".join(problems)
    return tally
