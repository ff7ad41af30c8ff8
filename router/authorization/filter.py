"""Remove what a caller may not see from a normalized operation, before planning.

Apollo Router's rules (its authorization plugin and docs), on our normalized operations:

- a field is removed when its own requirement or its return type's requirement is not met;
- on an interface, a field selected outside a fragment is removed unless the caller meets
  the requirement of that field on *every* implementation, and a field returning an
  interface keeps plain field selections only when the caller meets every
  implementation's type requirement (fragments on the concrete types are the way to ask
  for the part one may see); ``__typename`` is always allowed;
- a fragment whose type condition's requirement is not met is removed;
- a requirement on the root type removes the whole operation.

Each removal yields its response path: response keys (aliases as sent), ``"@"`` for each
list level above the removed field, and ``"... on T"`` for a removed fragment, as Apollo
Router prints them. A field left with no selection keeps ``__typename`` so the object still
exists: only its unauthorized fields are null (and null propagation applies to them).

Where we differ from Apollo Router's code, on purpose (its documentation agrees with us):
paths hold response keys, not field names (an alias is where the client looks); a removed
list field's path ends at the field (``["posts"]``, as Apollo's docs show it, where its code
adds ``"@"``); interface fields follow the documented AND over the implementations, where
its code removes a field whose implementations merely differ, even for a caller meeting
them all; and a field whose selections were all removed keeps ``__typename`` where Apollo
drops the field too (its parent would be null with no error saying why).
"""

from __future__ import annotations

import dataclasses
import operator
from dataclasses import dataclass

from graphql import FieldNode, GraphQLNonNull, GraphQLString, NameNode

from router.authorization.requirements import AccessRequirements, Grant
from router.operation import Field, Fragment, NormalizedOperation, Selection

__all__ = ["FilteredOperation", "filter_operation"]

ResponsePath = tuple[str, ...]
_ALWAYS_ALLOWED = frozenset({"__typename", "__schema", "__type"})


@dataclass(frozen=True, slots=True)
class FilteredOperation:
    operation: NormalizedOperation  # what is planned and executed
    removed: tuple[ResponsePath, ...]  # one response path per removal, in document order


def _typename_field() -> Field:
    return Field(
        response_key="__typename",
        name="__typename",
        arguments=(),
        type=GraphQLNonNull(GraphQLString),
        type_name="String",
        path_suffix=("__typename",),
        selections=(),
        node=FieldNode(name=NameNode(value="__typename"), arguments=(), directives=()),
    )


class _Filter:
    def __init__(self, requirements: AccessRequirements, grant: Grant) -> None:
        self.requirements = requirements
        self.grant = grant
        self.removed: list[ResponsePath] = []

    def type_allowed(self, name: str) -> bool:
        return self.requirements.of_type(name).allows(self.grant)

    def field_allowed(self, parent: str, field: Field) -> bool:
        requirements = self.requirements
        if not requirements.of_field(parent, field.name).allows(self.grant):
            return False
        if not self.type_allowed(field.type_name):
            return False
        members = requirements.implementations.get(parent, ())
        if not all(requirements.of_field(m, field.name).allows(self.grant) for m in members):
            return False
        plain = any(isinstance(s, Field) and s.name != "__typename" for s in field.selections)
        members = requirements.implementations.get(field.type_name, ())
        return not plain or all(self.type_allowed(m) for m in members)

    def selections(
        self, selections: tuple[Selection, ...], parent: str, path: ResponsePath
    ) -> tuple[Selection, ...]:
        """The allowed part of ``selections``: the same tuple when nothing was removed."""
        kept: list[Selection] = []
        for selection in selections:
            if isinstance(selection, Fragment):
                fragment = self.fragment(selection, path)
                if fragment is not None:
                    kept.append(fragment)
            elif selection.name in _ALWAYS_ALLOWED:
                kept.append(selection)
            elif not self.field_allowed(parent, selection):
                self.removed.append((*path, selection.response_key))
            else:
                kept.append(self.inside(selection, path))
        same = len(kept) == len(selections) and all(map(operator.is_, kept, selections))
        return selections if same else tuple(kept)

    def inside(self, field: Field, path: ResponsePath) -> Field:
        if not field.selections:
            return field
        inner = self.selections(field.selections, field.type_name, (*path, *field.path_suffix))
        if inner is field.selections:
            return field
        return dataclasses.replace(field, selections=inner or (_typename_field(),))

    def fragment(self, fragment: Fragment, path: ResponsePath) -> Fragment | None:
        condition = fragment.type_condition
        if not self.type_allowed(condition):
            self.removed.append((*path, f"... on {condition}"))
            return None
        inner = self.selections(fragment.selections, condition, path)
        if not inner:
            return None
        return fragment if inner is fragment.selections else Fragment(condition, inner)


def filter_operation(
    operation: NormalizedOperation, requirements: AccessRequirements, grant: Grant
) -> FilteredOperation:
    """The operation without what ``grant`` may not see, and where each removal was."""
    walker = _Filter(requirements, grant)
    if not walker.type_allowed(operation.root_type):
        emptied = dataclasses.replace(operation, selections=())
        return FilteredOperation(emptied, ((),))
    selections = walker.selections(operation.selections, operation.root_type, ())
    if not walker.removed:
        return FilteredOperation(operation, ())
    return FilteredOperation(
        dataclasses.replace(operation, selections=selections), tuple(walker.removed)
    )
