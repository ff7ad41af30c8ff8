"""Aliases for one response key with two types in a subgraph query.

The planner selects fields per runtime type, so a subgraph query can hold
``... on User { id } ... on Admin { id }`` where, in that subgraph, ``User.id: ID!`` and
``Admin.id: ID``. GraphQL validation rejects that (FieldsInSetCanMerge: fields sharing a
response key must have the same response shape), even though the client's query, written
against the supergraph's types, was valid. As Apollo Gateway does, every field whose type
differs from the first one with its response key gets an alias (``id__alias_0: id``), and the
fetch carries an :class:`~router.plan.OutputRewrite` that renames it back in the answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from router.plan import OutputRewrite, PlanField, PlanFragment, PlanSelection

__all__ = ["TypeOf", "alias_conflicting_keys"]

# (parent type, field name) -> the field's printed type in the fetch's subgraph
TypeOf = Callable[[str, str], str]
# a type condition -> the object types it applies to
RuntimeTypes = Callable[[str], frozenset[str]]
_Position = tuple[int, ...]  # indexes from the fetch's selections down to a field
_Path = tuple[str | frozenset[str], ...]


class _Occurrence(NamedTuple):
    field: PlanField
    parent: str
    position: _Position
    path: _Path  # the response path of the object the field is on (see OutputRewrite)


class _Aliasing:
    def __init__(self, type_of: TypeOf, runtime_types: RuntimeTypes) -> None:
        self.type_of = type_of
        self.runtime_types = runtime_types
        self.aliases: dict[_Position, str] = {}
        self.rewrites: list[OutputRewrite] = []

    def occurrences(
        self,
        selections: tuple[PlanSelection, ...],
        parent: str,
        position: _Position,
        path: _Path,
        out: list[_Occurrence],
    ) -> list[_Occurrence]:
        """The fields of one selection set, fragments included (they merge in validation)."""
        for index, selection in enumerate(selections):
            if isinstance(selection, PlanFragment):
                condition = selection.type_condition
                inner = (*path, self.runtime_types(condition))
                self.occurrences(selection.selections, condition, (*position, index), inner, out)
            else:
                out.append(_Occurrence(selection, parent, (*position, index), path))
        return out

    def children(self, occurrence: _Occurrence, key: str) -> list[_Occurrence]:
        field = occurrence.field
        child_type = self.type_of(occurrence.parent, field.name).strip("[]!")
        path = (*occurrence.path, key)
        return self.occurrences(field.selections, child_type, occurrence.position, path, [])

    def shape(self, occurrence: _Occurrence) -> str:
        printed = self.type_of(occurrence.parent, occurrence.field.name)
        if occurrence.field.selections:  # composite types only need the same wrappers
            return printed.replace(printed.strip("[]!"), "")
        return printed

    def resolve(self, occurrences: list[_Occurrence]) -> None:
        taken = {o.field.response_key for o in occurrences}
        by_key: dict[str, list[_Occurrence]] = {}
        for occurrence in occurrences:
            by_key.setdefault(occurrence.field.response_key, []).append(occurrence)
        for key, group in by_key.items():
            expected = self.shape(group[0])
            merged: list[_Occurrence] = []
            for occurrence in group:
                if self.shape(occurrence) == expected:
                    merged.extend(self.children(occurrence, key))
                    continue
                alias = self.fresh_alias(occurrence.field.name, taken)
                self.aliases[occurrence.position] = alias
                self.rewrites.append(OutputRewrite(occurrence.path, alias, key))
                self.resolve(self.children(occurrence, alias))
            if merged:
                self.resolve(merged)

    @staticmethod
    def fresh_alias(name: str, taken: set[str]) -> str:
        counter = 0
        while f"{name}__alias_{counter}" in taken:
            counter += 1
        alias = f"{name}__alias_{counter}"
        taken.add(alias)
        return alias

    def rebuild(
        self, selections: tuple[PlanSelection, ...], position: _Position
    ) -> tuple[PlanSelection, ...]:
        out: list[PlanSelection] = []
        for index, selection in enumerate(selections):
            here = (*position, index)
            inner = self.rebuild(selection.selections, here)
            if isinstance(selection, PlanFragment):
                out.append(selection._replace(selections=inner))
            else:
                alias = self.aliases.get(here, selection.alias)
                out.append(selection._replace(alias=alias, selections=inner))
        return tuple(out)


def alias_conflicting_keys(
    selections: tuple[PlanSelection, ...],
    parent: str,
    type_of: TypeOf,
    runtime_types: RuntimeTypes,
) -> tuple[tuple[PlanSelection, ...], tuple[OutputRewrite, ...]]:
    """``selections`` (on ``parent``) with conflicting fields aliased, and the renames back.

    Rewrites are listed innermost first, so a rename inside an aliased field applies before
    that field's own alias is renamed back.
    """
    aliasing = _Aliasing(type_of, runtime_types)
    aliasing.resolve(aliasing.occurrences(selections, parent, (), (), []))
    if not aliasing.aliases:
        return selections, ()
    return aliasing.rebuild(selections, ()), tuple(reversed(aliasing.rewrites))
