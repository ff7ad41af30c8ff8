"""Merge the entity fetches of one subgraph that run in the same wave into one request.

Apollo Gateway plans one ``_entities`` fetch per response path, so a subgraph reached from
two sibling branches (the products of order lines and of recommendations) is asked twice in
the same wave. Hive Gateway sends such fetches as one request: representations from every
path, deduplicated, each answer merged back into every object that sent it. This pass does
the same on the fetch dependency graph, where it is safe:

- same subgraph, same depth in the graph (longest chain of parents) and the same inputs;
- the selections merge without a response key naming two different fields;
- a field only some paths ask for is nullable, so its failure nulls that field and not the
  entity the other paths share (execution gives each path only its fields and errors);
- the plan keeps its number of sequential waves: a merged fetch waits for all its parents,
  which a ``Sequence``/``Parallel`` tree can only place after their common ancestor's subtree.

Mutations are not merged: their entity fetches must see the state after their own field.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence

from graphql import GraphQLNonNull, get_named_type

from router.plan import (
    Flatten,
    FlattenBranch,
    PlanField,
    PlanFragment,
    PlanNode,
    PlanSelection,
    count_waves,
)
from router.planning.errors import PlanningError
from router.planning.fetch_graph import FetchGroup
from router.planning.plan_tree import build_plan_node
from router.planning.selection_builder import SelectionBuilder
from router.planning.subgraph_types import field_type_in, named_type
from router.supergraph import Supergraph

__all__ = ["plan_merging_fetches"]

ToNode = Callable[[FetchGroup], PlanNode]
Merge = list[FetchGroup]


def plan_merging_fetches(
    groups: Sequence[FetchGroup], to_node: ToNode, supergraph: Supergraph
) -> PlanNode | None:
    """The plan of ``groups`` with the same-wave entity fetches merged where it is safe."""
    fetch_of = {group.id: to_node(group) for group in groups}
    baseline = build_plan_node(groups, fetch_of, sequential_roots=False)
    merges = _merges(groups, supergraph)
    if not merges:
        return baseline
    limit = count_waves(baseline)
    best = _trial(groups, fetch_of, merges, to_node)
    if best is not None and count_waves(best) <= limit:
        return best
    accepted: list[Merge] = []
    best = baseline
    for merge in merges:  # not all at once: keep those that add no wave
        trial = _trial(groups, fetch_of, [*accepted, merge], to_node)
        if trial is not None and count_waves(trial) <= limit:
            accepted.append(merge)
            best = trial
    return best


def _trial(
    groups: Sequence[FetchGroup],
    fetch_of: dict[int, PlanNode],
    merges: Sequence[Merge],
    to_node: ToNode,
) -> PlanNode | None:
    """The plan with ``merges``, or None when they would make a fetch wait for itself."""
    try:
        return _plan(groups, fetch_of, merges, to_node)
    except PlanningError:
        return None


def _depths(groups: Sequence[FetchGroup]) -> dict[int, int]:
    by_id = {group.id: group for group in groups}
    depth: dict[int, int] = {}

    def of(group_id: int) -> int:
        if group_id not in depth:
            parents = by_id[group_id].parents
            depth[group_id] = 1 + max((of(p) for p in parents), default=-1)
        return depth[group_id]

    for group in groups:
        of(group.id)
    return depth


def _merges(groups: Sequence[FetchGroup], supergraph: Supergraph) -> list[Merge]:
    depth = _depths(groups)
    buckets: dict[tuple[object, ...], list[FetchGroup]] = {}
    for group in groups:
        if group.is_entity:
            key = (group.subgraph, depth[group.id], group.inputs.freeze())
            buckets.setdefault(key, []).append(group)
    merges: list[Merge] = []
    for bucket in buckets.values():
        while len(bucket) > 1:
            merge = [bucket[0]]
            for group in bucket[1:]:
                if _mergeable([*merge, group], supergraph):
                    merge.append(group)
            if len(merge) > 1:
                merges.append(merge)
            bucket = [group for group in bucket if group not in merge]
    return merges


def _merged_selection(members: Iterable[FetchGroup]) -> SelectionBuilder | None:
    merged = SelectionBuilder()
    return merged if all(merged.merge(member.selection) for member in members) else None


def _mergeable(members: Sequence[FetchGroup], supergraph: Supergraph) -> bool:
    merged = _merged_selection(members)
    if merged is None:
        return False
    whole = merged.freeze()
    subgraph = members[0].subgraph
    return all(
        _extra_fields_nullable(m.selection.freeze(), whole, "", supergraph, subgraph)
        for m in members
    )


def _extra_fields_nullable(
    part: tuple[PlanSelection, ...],
    whole: tuple[PlanSelection, ...],
    type_name: str,
    supergraph: Supergraph,
    subgraph: str,
) -> bool:
    """Whether every field of ``whole`` that ``part`` lacks is nullable, at any depth, in the
    subgraph (its own type may be non-null where the supergraph's is nullable: a null there
    would null the whole entity in the subgraph's answer, for every path)."""
    parent = supergraph.schema.get_type(type_name) if type_name else None
    fields = getattr(parent, "fields", {})
    own = {s.response_key: s for s in part if isinstance(s, PlanField)}
    for selection in whole:
        if isinstance(selection, PlanFragment):
            same = [
                p.selections
                for p in part
                if isinstance(p, PlanFragment) and p.type_condition == selection.type_condition
            ]
            inner = same[0] if same else ()
            if not _extra_fields_nullable(
                inner, selection.selections, selection.type_condition, supergraph, subgraph
            ):
                return False
            continue
        if selection.name == "__typename":
            continue
        definition = fields.get(selection.name)
        if definition is None:
            return False
        declared = field_type_in(supergraph, type_name, selection.name, subgraph)
        counterpart = own.get(selection.response_key)
        if counterpart is None:
            if isinstance(definition.type, GraphQLNonNull) or declared.endswith("!"):
                return False
        elif selection.selections and not _extra_fields_nullable(
            counterpart.selections,
            selection.selections,
            named_type(declared) or get_named_type(definition.type).name,
            supergraph,
            subgraph,
        ):
            return False
    return True


def _plan(
    groups: Sequence[FetchGroup],
    fetch_of: dict[int, PlanNode],
    merges: Sequence[Merge],
    to_node: ToNode,
) -> PlanNode | None:
    """The plan with each merge's members replaced by one group (the first member's id)."""
    merged_into = {member.id: merge[0].id for merge in merges for member in merge}
    first_of = {merge[0].id: merge for merge in merges}
    nodes = dict(fetch_of)
    planned: list[FetchGroup] = []
    for group in groups:
        if merged_into.get(group.id, group.id) != group.id:
            continue
        members = first_of.get(group.id, [group])
        parents = {merged_into.get(p, p) for m in members for p in m.parents} - {group.id}
        if len(members) == 1:
            planned.append(dataclasses.replace(group, parents=parents))
            continue
        merged = _merged_group(members, parents)
        planned.append(merged)
        nodes[group.id] = _merged_node(members, merged, to_node)
    return build_plan_node(planned, nodes, sequential_roots=False)


def _merged_group(members: Sequence[FetchGroup], parents: set[int]) -> FetchGroup:
    first = members[0]
    selection = _merged_selection(members)
    assert selection is not None
    variables = {name: None for member in members for name in member.variables}
    return dataclasses.replace(first, selection=selection, parents=parents, variables=variables)


def _merged_node(members: Sequence[FetchGroup], merged: FetchGroup, to_node: ToNode) -> Flatten:
    node = to_node(merged)
    assert isinstance(node, Flatten)
    whole = node.node.selections
    branches = []
    for member in members:
        own = member.selection.freeze()
        branches.append(FlattenBranch(member.merge_at, None if own == whole else own))
    return dataclasses.replace(node, branches=tuple(branches))
