"""Reaching a value-type field through its nearest ancestor another subgraph can start from.

A value type (no ``@key``) cannot be fetched with ``_entities``, so a field of it that the
current subgraph lacks (``Product.details.x`` where only ``b`` resolves ``Details.x``) is
reached as Apollo Gateway does: from the nearest ancestor where ``b`` can start, an entity
(``_entities { ... on Product { details { x } } }``, keyed by the entity's key) or the
query root (``@shareable`` root fields: a second root fetch of ``config { b }``), with every
field on the way down resolvable in ``b``. The answers deep-merge into the same objects.
The same reach tells which other subgraphs could have resolved a field at a point
(:func:`reachable_graphs`), which bounds the runtime types of a shared abstract field.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from graphql import ArgumentNode

from router.operation import Field
from router.planning.fetch_graph import FetchGraph, FetchGroup
from router.planning.selection_builder import SelectionBuilder
from router.request import OperationKind
from router.supergraph import Supergraph

__all__ = ["AncestorStep", "HopPlanner", "plan_from_ancestor", "reachable_graphs"]

ProvidedTree = Mapping[str, "ProvidedTree"]


@dataclass(frozen=True, slots=True)
class AncestorStep:
    """A composite field being planned: where it was added, on which type and path."""

    group: FetchGroup
    builder: SelectionBuilder  # the parent's selection the field was added to
    parent: str
    field: Field
    path: tuple[str, ...]  # the parent object's response path
    provided: ProvidedTree | None


class HopPlanner(Protocol):
    """What the hop needs from the plan builder."""

    supergraph: Supergraph
    graph: FetchGraph
    root_groups: dict[str, FetchGroup]
    chain: list[AncestorStep]

    @property
    def operation_kind(self) -> OperationKind: ...

    @property
    def root_type(self) -> str: ...

    def entity_group(
        self,
        group: FetchGroup,
        builder: SelectionBuilder,
        type_name: str,
        target: str,
        path: tuple[str, ...],
        provided: ProvidedTree | None,
    ) -> FetchGroup: ...

    def arguments(self, group: FetchGroup, arguments: tuple[ArgumentNode, ...]) -> str: ...

    def plan_field(
        self,
        group: FetchGroup,
        builder: SelectionBuilder,
        type_name: str,
        field: Field,
        path: tuple[str, ...],
        provided: ProvidedTree | None,
    ) -> set[FetchGroup]: ...


def _resolves(supergraph: Supergraph, type_name: str, field: str, graph: str) -> bool:
    join = supergraph.field_join(type_name, field, graph)
    return join is not None and join.resolves


def _own_steps(planner: HopPlanner, group: FetchGroup) -> list[AncestorStep]:
    """The innermost steps of the chain that ``group`` fetches, outermost first."""
    own: list[AncestorStep] = []
    for step in reversed(planner.chain):
        if step.group is not group:
            break
        own.insert(0, step)
    return own


def _at_root(planner: HopPlanner, parent: str, path: tuple[str, ...], group: FetchGroup) -> bool:
    return parent == planner.root_type and not path and not group.is_entity


def _can_start(
    planner: HopPlanner, parent: str, path: tuple[str, ...], group: FetchGroup, target: str
) -> bool:
    """Whether ``target`` can start from an object of ``parent`` at ``path``: the root, or
    an entity it has a key for."""
    keys = planner.supergraph.keys_in(parent, target)
    return _at_root(planner, parent, path, group) or any(k.resolvable for k in keys)


def _start(
    planner: HopPlanner, anchor: AncestorStep, target: str
) -> tuple[FetchGroup, SelectionBuilder] | None:
    """The fetch of ``target`` and the selection where ``anchor``'s field can be selected."""
    if not _can_start(planner, anchor.parent, anchor.path, anchor.group, target):
        return None
    if _at_root(planner, anchor.parent, anchor.path, anchor.group):
        if planner.operation_kind is not OperationKind.QUERY:  # never run a mutation twice
            return None
        group = planner.root_groups.get(target)
        if group is None:
            group = planner.root_groups[target] = planner.graph.root_group(target)
        return group, group.selection
    entity = planner.entity_group(
        anchor.group, anchor.builder, anchor.parent, target, anchor.path, anchor.provided
    )
    return entity, entity.selection.fragment(anchor.parent)


def _descend(
    planner: HopPlanner,
    group: FetchGroup,
    builder: SelectionBuilder,
    steps: Sequence[AncestorStep],
    type_name: str,
) -> tuple[SelectionBuilder, list[AncestorStep]]:
    """Select the fields of ``steps`` again below ``builder``, down to an object of
    ``type_name``; the steps this took in ``group`` (for hops further down)."""
    taken = []
    for index, step in enumerate(steps):
        taken.append(dataclasses.replace(step, group=group, builder=builder, provided=None))
        field = step.field
        alias = field.response_key if field.response_key != field.name else None
        builder = builder.add_composite(
            alias, field.name, planner.arguments(group, field.arguments)
        )
        below = steps[index + 1].parent if index + 1 < len(steps) else type_name
        if below != field.type_name:  # an abstract field: go down to the runtime type
            builder.add_leaf(None, "__typename")
            builder = builder.fragment(below)
    return builder, taken


def plan_from_ancestor(
    planner: HopPlanner,
    group: FetchGroup,
    type_name: str,
    field: Field,
    path: tuple[str, ...],
) -> set[FetchGroup] | None:
    """Plan ``type_name.field`` (the object at ``path``, fetched by ``group``) from its
    nearest ancestor in ``group`` that a subgraph resolving the field can start from; None
    when there is none."""
    supergraph = planner.supergraph
    own = _own_steps(planner, group)
    targets = sorted(
        (g for g in supergraph.resolving_graphs(type_name, field.name) if g != group.subgraph),
        key=lambda g: (g not in planner.root_groups, g),
    )
    for index in range(len(own) - 1, -1, -1):
        below = own[index:]
        for target in targets:
            if not all(_resolves(supergraph, s.parent, s.field.name, target) for s in below):
                continue
            start = _start(planner, below[0], target)
            if start is None:
                continue
            hop, selection = start
            builder, taken = _descend(planner, hop, selection, below, type_name)
            depth = len(planner.chain)
            planner.chain.extend(taken)
            try:
                return planner.plan_field(hop, builder, type_name, field, path, None) | {hop}
            finally:
                del planner.chain[depth:]
    return None


def reachable_graphs(
    planner: HopPlanner, group: FetchGroup, type_name: str, field_name: str, path: tuple[str, ...]
) -> list[str]:
    """The other subgraphs that could resolve ``type_name.field_name`` for the object at
    ``path`` (fetched by ``group``): from the root, the object's key, or an ancestor, as
    :func:`plan_from_ancestor` would reach them (Apollo Gateway's alternatives)."""
    supergraph = planner.supergraph
    own = _own_steps(planner, group)
    found = []
    for target in supergraph.resolving_graphs(type_name, field_name):
        if target == group.subgraph:
            continue
        if _can_start(planner, type_name, path, group, target) or any(
            all(_resolves(supergraph, s.parent, s.field.name, target) for s in own[index:])
            and _can_start(planner, own[index].parent, own[index].path, group, target)
            for index in range(len(own))
        ):
            found.append(target)
    return found
