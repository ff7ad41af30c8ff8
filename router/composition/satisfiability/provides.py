"""What a ``@provides`` makes resolvable along one subgraph path.

Apollo's query graph gives a field with ``@provides`` a copy of its type's vertex with extra
edges for the provided fields, ``@external`` or not (``addProvidesEdges``); the copy is only
reached through that field. ``Provided`` is that copy: the provided fields (each with what is
provided below it) and the provided downcasts (``... on T { ... }``) of the type reached.
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql import FieldNode, InlineFragmentNode, SelectionSetNode

from ..fieldset import FieldSetError, parse_field_set

__all__ = ["Provided", "covers", "merge_provided", "parse_provided"]


@dataclass(frozen=True, slots=True)
class Provided:
    """Fields (name -> what is provided below it, ``None`` for a leaf) and downcasts."""

    fields: tuple[tuple[str, Provided | None], ...] = ()
    casts: tuple[tuple[str, Provided], ...] = ()

    def has(self, field: str) -> bool:
        return any(name == field for name, _ in self.fields)

    def below(self, field: str) -> Provided | None:
        return next((sub for name, sub in self.fields if name == field), None)

    def cast(self, type_name: str) -> Provided | None:
        return next((sub for name, sub in self.casts if name == type_name), None)


def merge_provided(first: Provided | None, second: Provided | None) -> Provided | None:
    """Both provisions at once (a field provided by its parent that has its own @provides)."""
    if first is None or second is None:
        return first or second
    fields = dict(first.fields)
    for name, sub in second.fields:
        fields[name] = merge_provided(fields.get(name), sub)
    casts = dict(first.casts)
    for name, cast in second.casts:
        casts[name] = merge_provided(casts.get(name), cast) or cast
    return Provided(tuple(fields.items()), tuple(casts.items()))


def covers(provided: Provided, selection_set: SelectionSetNode) -> bool:
    """Every field ``selection_set`` selects is provided (a ``@requires`` met on the spot)."""
    for selection in selection_set.selections:
        if isinstance(selection, InlineFragmentNode):
            condition = selection.type_condition
            inner = provided.cast(condition.name.value) if condition is not None else provided
            if inner is None or not covers(inner, selection.selection_set):
                return False
        elif isinstance(selection, FieldNode) and selection.name.value != "__typename":
            if not provided.has(selection.name.value):
                return False
            below = provided.below(selection.name.value)
            if selection.selection_set is not None and (
                below is None or not covers(below, selection.selection_set)
            ):
                return False
    return True


def parse_provided(fields: str) -> Provided | None:
    """The provision of a ``@provides(fields:)`` argument (``None`` when it does not parse)."""
    try:
        return _provided(parse_field_set(fields))
    except FieldSetError:
        return None


def _provided(selection_set: SelectionSetNode) -> Provided:
    provided = Provided()
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            sub = _provided(selection.selection_set) if selection.selection_set else None
            one = Provided(fields=((selection.name.value, sub),))
        elif isinstance(selection, InlineFragmentNode) and selection.type_condition is None:
            one = _provided(selection.selection_set)
        elif isinstance(selection, InlineFragmentNode) and selection.type_condition is not None:
            cast = _provided(selection.selection_set)
            one = Provided(casts=((selection.type_condition.name.value, cast),))
        else:
            continue
        provided = merge_provided(provided, one) or provided
    return provided
