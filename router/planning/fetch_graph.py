"""The fetch dependency graph: one group per subgraph request, with its dependencies.

A group is a root fetch or an ``_entities`` fetch merged at a response path (``merge_at``).
Its ``parents`` are the groups whose results it needs (the one that fetched the entity keys,
plus any that fetched ``@requires`` fields).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from router.plan import Fetch, OutputRewrite, PlanSelection, make_fetch
from router.planning.selection_builder import SelectionBuilder

__all__ = ["FetchGraph", "FetchGroup", "SelectionRewrite"]

# (group, its frozen selections) -> the selections to send and the renames of their answer
SelectionRewrite = Callable[
    ["FetchGroup", tuple[PlanSelection, ...]],
    tuple[tuple[PlanSelection, ...], tuple[OutputRewrite, ...]],
]


@dataclass(eq=False)
class FetchGroup:
    id: int
    subgraph: str
    merge_at: tuple[str, ...]
    is_entity: bool
    selection: SelectionBuilder = field(default_factory=SelectionBuilder)
    inputs: SelectionBuilder = field(default_factory=SelectionBuilder)
    parents: set[int] = field(default_factory=set)
    variables: dict[str, None] = field(default_factory=dict)

    def to_fetch(
        self,
        kind: str,
        variable_definitions: dict[str, str],
        rewrite: SelectionRewrite | None = None,
    ) -> Fetch:
        usages = tuple(v for v in variable_definitions if v in self.variables)
        selections = self.selection.freeze()
        output_rewrites: tuple[OutputRewrite, ...] = ()
        if rewrite is not None:
            selections, output_rewrites = rewrite(self, selections)
        return make_fetch(
            self.subgraph,
            selections,
            kind=kind if not self.is_entity else "query",
            variable_definitions=tuple(variable_definitions[v] for v in usages),
            variable_usages=usages,
            requires=self.inputs.freeze() if self.is_entity else None,
            output_rewrites=output_rewrites,
        )


class FetchGraph:
    def __init__(self) -> None:
        self.groups: list[FetchGroup] = []
        self._entity_groups: dict[tuple[str, tuple[str, ...], int], FetchGroup] = {}
        # further groups at the same place, whose inputs could not share the first's
        self._variants: dict[tuple[str, tuple[str, ...], int], list[FetchGroup]] = {}

    def root_group(self, subgraph: str) -> FetchGroup:
        group = FetchGroup(len(self.groups), subgraph, (), is_entity=False)
        self.groups.append(group)
        return group

    def precedes(self, group: FetchGroup, others: set[FetchGroup]) -> bool:
        """Whether one of ``others`` is ``group`` or runs after it (through its parents)."""
        seen: set[int] = set()
        pending = [other.id for other in others]
        while pending:
            current = pending.pop()
            if current == group.id:
                return True
            if current not in seen:
                seen.add(current)
                pending.extend(self.groups[current].parents)
        return False

    def existing_entity_group(
        self, subgraph: str, merge_at: tuple[str, ...], parent: FetchGroup
    ) -> FetchGroup | None:
        return self._entity_groups.get((subgraph, merge_at, parent.id))

    def entity_group(
        self,
        subgraph: str,
        merge_at: tuple[str, ...],
        parent: FetchGroup,
        accepts: Callable[[FetchGroup], bool] = lambda group: True,
    ) -> FetchGroup:
        """The group for ``subgraph`` at ``merge_at`` after ``parent``: the first one that
        ``accepts`` (e.g. whose representations can carry the new inputs), or a new one."""
        key = (subgraph, merge_at, parent.id)
        group = self._entity_groups.get(key)
        if group is not None and accepts(group):
            return group
        for other in self._variants.get(key, ()):
            if accepts(other):
                return other
        new = FetchGroup(len(self.groups), subgraph, merge_at, is_entity=True)
        new.parents.add(parent.id)
        self.groups.append(new)
        if group is None:
            self._entity_groups[key] = new
        else:
            self._variants.setdefault(key, []).append(new)
        return new
