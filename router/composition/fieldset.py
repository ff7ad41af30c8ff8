"""``FieldSet`` arguments (``@key``, ``@requires``, ``@provides``): parse and resolve them.

A field set is a selection set without its braces; graphql-core parses it once wrapped in
``{ }`` and the selections are then resolved against a subgraph's types.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from graphql import (
    FieldNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    parse,
    print_ast,
)

__all__ = [
    "FieldSetError",
    "SelectedField",
    "parse_field_set",
    "resolve_field_set",
    "selected_before_error",
]


class FieldSetError(ValueError):
    """The field set does not parse or names something its type does not have."""


@dataclass(frozen=True, slots=True)
class SelectedField:
    """One field a field set selects: where it is, its definition, and whether it is a leaf."""

    parent: str
    name: str
    field: GraphQLField
    has_selection: bool
    directives: tuple[str, ...]  # printed directive applications on the selection
    ancestors: tuple[str, ...]  # coordinates of the enclosing selected fields

    @property
    def coordinate(self) -> str:
        return f"{self.parent}.{self.name}"


def parse_field_set(fields: str) -> SelectionSetNode:
    try:
        document = parse("{" + fields + "}", no_location=True)
    except GraphQLError as error:
        raise FieldSetError(f'"{fields}" is not a valid field set: {error.message}') from error
    operation = document.definitions[0]
    if len(document.definitions) != 1 or not isinstance(operation, OperationDefinitionNode):
        raise FieldSetError(f'"{fields}" is not a valid field set')
    return operation.selection_set


def _fields_of(parent: GraphQLNamedType) -> dict[str, GraphQLField]:
    if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
        return dict(parent.fields)
    return {}


def _resolve(
    schema: GraphQLSchema,
    parent: GraphQLNamedType,
    selection_set: SelectionSetNode,
    out: list[SelectedField],
    ancestors: tuple[str, ...] = (),
) -> None:
    for selection in selection_set.selections:
        if isinstance(selection, InlineFragmentNode):
            target = parent
            if selection.type_condition is not None:
                named = schema.get_type(selection.type_condition.name.value)
                if named is None:
                    raise FieldSetError(f'Unknown type "{selection.type_condition.name.value}"')
                target = named
            _resolve(schema, target, selection.selection_set, out, ancestors)
            continue
        if not isinstance(selection, FieldNode):
            raise FieldSetError("field sets cannot use fragment spreads")
        name = selection.name.value
        if name == "__typename":
            continue
        field = _fields_of(parent).get(name)
        if field is None:
            kind = "type" if not isinstance(parent, GraphQLUnionType) else "union"
            raise FieldSetError(f'Cannot query field "{name}" on {kind} "{parent.name}".')
        out.append(
            SelectedField(
                parent=parent.name,
                name=name,
                field=field,
                has_selection=selection.selection_set is not None,
                directives=tuple(print_ast(d) for d in selection.directives or ()),
                ancestors=ancestors,
            )
        )
        if selection.selection_set is not None:
            _resolve(
                schema,
                get_named_type(field.type),
                selection.selection_set,
                out,
                (*ancestors, f"{parent.name}.{name}"),
            )


def resolve_field_set(
    schema: GraphQLSchema, parent: GraphQLNamedType, fields: str
) -> list[SelectedField]:
    """Every field ``fields`` selects from ``parent`` (depth first), or :class:`FieldSetError`."""
    out: list[SelectedField] = []
    _resolve(schema, parent, parse_field_set(fields), out)
    return out


def selected_before_error(
    schema: GraphQLSchema, parent: GraphQLNamedType, fields: str
) -> list[SelectedField]:
    """The fields ``fields`` selects up to its first error (Apollo counts those as used)."""
    out: list[SelectedField] = []
    with contextlib.suppress(FieldSetError):
        _resolve(schema, parent, parse_field_set(fields), out)
    return out
