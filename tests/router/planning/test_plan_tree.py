"""Fetch dependency graph -> Sequence/Parallel tree: every group runs after all its parents."""

from __future__ import annotations

import pytest

from router.plan import (
    Fetch,
    Flatten,
    Parallel,
    PlanNode,
    QueryPlan,
    Sequence,
    format_plan,
    make_fetch,
)
from router.planning.errors import PlanningError
from router.planning.fetch_graph import FetchGroup
from router.planning.plan_tree import build_plan_node


def _groups(parents: dict[str, set[str]]) -> tuple[list[FetchGroup], dict[int, PlanNode]]:
    ids = {name: i for i, name in enumerate(parents)}
    groups = [
        FetchGroup(ids[name], name, (), is_entity=False, parents={ids[p] for p in wanted})
        for name, wanted in parents.items()
    ]
    return groups, {ids[name]: make_fetch(name, ()) for name in parents}


def _order(node: PlanNode | None) -> list[set[str]]:
    """The plan as waves of service names (a Parallel is one wave per branch step)."""
    if node is None:
        return []
    if isinstance(node, Fetch):
        return [{node.service_name}]
    if isinstance(node, Flatten):
        return [{node.node.service_name}]
    if isinstance(node, Sequence):
        return [wave for child in node.nodes for wave in _order(child)]
    branches = [_order(child) for child in node.nodes]
    depth = max(len(branch) for branch in branches)
    return [
        set().union(*(branch[i] for branch in branches if i < len(branch))) for i in range(depth)
    ]


def _runs_after(node: PlanNode | None, parents: dict[str, set[str]]) -> bool:
    """Whether each fetch starts only once every parent's fetch has finished."""
    finished: set[str] = set()

    def visit(current: PlanNode, done: set[str]) -> set[str]:
        if isinstance(current, Fetch | Flatten):
            fetch = current.node if isinstance(current, Flatten) else current
            if not parents[fetch.service_name] <= done:
                raise AssertionError(f"{fetch.service_name} runs before one of its parents")
            return done | {fetch.service_name}
        if isinstance(current, Sequence):
            for child in current.nodes:
                done = visit(child, done)
            return done
        assert isinstance(current, Parallel)
        after = set(done)
        for child in current.nodes:
            after |= visit(child, done)
        return after

    assert node is not None
    finished = visit(node, finished)
    return finished == set(parents)


def test_groups_after_one_subtree_that_depend_on_each_other_run_in_waves() -> None:
    # two root branches; "merged" needs both; "requires" needs both and "merged"
    parents = {
        "a": set(),
        "b": set(),
        "a2": {"a"},
        "b2": {"b"},
        "merged": {"a2", "b2"},
        "requires": {"a2", "b2", "merged"},
    }
    groups, fetch_of = _groups(parents)
    node = build_plan_node(groups, fetch_of, sequential_roots=False)
    assert _runs_after(node, parents), format_plan(QueryPlan(node))
    assert _order(node) == [{"a", "b"}, {"a2", "b2"}, {"merged"}, {"requires"}]


def test_independent_groups_after_one_subtree_stay_parallel() -> None:
    parents = {"a": set(), "b": set(), "x": {"a", "b"}, "y": {"a", "b"}}
    groups, fetch_of = _groups(parents)
    node = build_plan_node(groups, fetch_of, sequential_roots=False)
    assert _runs_after(node, parents)
    assert _order(node) == [{"a", "b"}, {"x", "y"}]


def test_a_dependency_through_another_groups_subtree_is_kept() -> None:
    # "late" needs "child", which sits in the subtree of "joined" (after a and b)
    parents = {
        "a": set(),
        "b": set(),
        "joined": {"a", "b"},
        "child": {"joined"},
        "late": {"a", "b", "child"},
    }
    groups, fetch_of = _groups(parents)
    node = build_plan_node(groups, fetch_of, sequential_roots=False)
    assert _runs_after(node, parents), format_plan(QueryPlan(node))


def test_a_cycle_is_an_error() -> None:
    groups, fetch_of = _groups({"a": {"b"}, "b": {"a"}})
    with pytest.raises(PlanningError, match="cycle"):
        build_plan_node(groups, fetch_of, sequential_roots=False)
