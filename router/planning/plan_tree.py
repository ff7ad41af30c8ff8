"""Fetch dependency graph -> plan nodes, with as few sequential waves as the graph allows.

Each group runs after its parents. A group with a single parent runs right after it (in a
``Sequence``), siblings run in ``Parallel``. A group with several parents is placed under
the parent that runs after all the others when there is one, otherwise after the subtree
of the parents' lowest common ancestor (or after all roots). Groups placed after the same
subtree can depend on one another (a merged ``@requires`` fetch needs the merged fetch of
its inputs): they run in waves, each after the ones holding its parents.
"""

from __future__ import annotations

from collections.abc import Sequence as Seq

from router.plan import Parallel, PlanNode, Sequence
from router.planning.errors import PlanningError
from router.planning.fetch_graph import FetchGroup

__all__ = ["build_plan_node"]


def _ancestors(group_id: int, tree_parent: dict[int, int | None]) -> list[int]:
    chain = [group_id]
    parent = tree_parent[group_id]
    while parent is not None:
        chain.append(parent)
        parent = tree_parent[parent]
    return chain


def _topological(groups: Seq[FetchGroup]) -> list[FetchGroup]:
    done: set[int] = set()
    order: list[FetchGroup] = []
    pending = list(groups)
    while pending:
        ready = [g for g in pending if g.parents <= done]
        if not ready:
            raise PlanningError("cycle in the fetch dependency graph")
        for group in ready:
            done.add(group.id)
            order.append(group)
        pending = [g for g in pending if g.id not in done]
    return order


class _Placement:
    def __init__(self, groups: Seq[FetchGroup]) -> None:
        self.tree_parent: dict[int, int | None] = {}
        self.children: dict[int | None, list[int]] = {}
        self.after: dict[int | None, list[int]] = {}
        for group in _topological(groups):
            self._place(group)

    def _place(self, group: FetchGroup) -> None:
        parents = sorted(group.parents)
        if not parents:
            self._attach(group.id, None, self.children)
            return
        chains = {p: _ancestors(p, self.tree_parent) for p in parents}
        for candidate in parents:
            if all(other in chains[candidate] for other in parents):
                self._attach(group.id, candidate, self.children)
                return
        common = set(chains[parents[0]])
        for parent in parents[1:]:
            common &= set(chains[parent])
        lowest = next((g for g in chains[parents[0]] if g in common), None)
        self._attach(group.id, lowest, self.after)

    def _attach(
        self, group_id: int, parent: int | None, table: dict[int | None, list[int]]
    ) -> None:
        self.tree_parent[group_id] = parent
        table.setdefault(parent, []).append(group_id)


def _sequence(nodes: list[PlanNode]) -> PlanNode | None:
    flat: list[PlanNode] = []
    for node in nodes:
        flat.extend(node.nodes if isinstance(node, Sequence) else (node,))
    if not flat:
        return None
    return flat[0] if len(flat) == 1 else Sequence(tuple(flat))


def _parallel(nodes: list[PlanNode]) -> PlanNode | None:
    flat: list[PlanNode] = []
    for node in nodes:
        flat.extend(node.nodes if isinstance(node, Parallel) else (node,))
    if not flat:
        return None
    return flat[0] if len(flat) == 1 else Parallel(tuple(flat))


def build_plan_node(
    groups: Seq[FetchGroup], fetch_of: dict[int, PlanNode], sequential_roots: bool
) -> PlanNode | None:
    """``fetch_of`` maps a group id to its Fetch (or Flatten) node."""
    placement = _Placement(groups)
    parents_of = {group.id: group.parents for group in groups}

    def members(group_id: int) -> list[int]:
        """The group and every group placed in its subtree."""
        found = [group_id]
        for table in (placement.children, placement.after):
            for child in table.get(group_id, []):
                found.extend(members(child))
        return found

    def waves(items: list[int]) -> PlanNode | None:
        """``items`` in parallel, except those that need a group in another's subtree."""
        inside = {item: set(members(item)) for item in items}
        needs = {
            item: {
                other
                for other in items
                if other != item and any(parents_of[m] & inside[other] for m in inside[item])
            }
            for item in items
        }
        done: set[int] = set()
        steps: list[PlanNode] = []
        while len(done) < len(items):
            ready = [i for i in items if i not in done and needs[i] <= done]
            if not ready:
                raise PlanningError("cycle in the fetch dependency graph")
            wave = _parallel([subtree(i) for i in ready])
            assert wave is not None
            steps.append(wave)
            done.update(ready)
        return _sequence(steps)

    def subtree(group_id: int) -> PlanNode:
        steps: list[PlanNode | None] = [
            fetch_of[group_id],
            _parallel([subtree(c) for c in placement.children.get(group_id, [])]),
            waves(placement.after.get(group_id, [])),
        ]
        node = _sequence([s for s in steps if s is not None])
        assert node is not None
        return node

    roots = [subtree(r) for r in placement.children.get(None, [])]
    first = _sequence(roots) if sequential_roots else _parallel(roots)
    rest = waves(placement.after.get(None, []))
    return _sequence([n for n in (first, rest) if n is not None])
