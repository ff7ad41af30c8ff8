"""Default values must not use what ``@inaccessible`` hides (``DEFAULT_VALUE_USES_INACCESSIBLE``):
a visible argument or input field whose default sets a hidden input field or names a hidden
enum value would show clients a value they cannot write.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import (
    ConstValueNode,
    EnumValueNode,
    GraphQLType,
    ListValueNode,
    ObjectValueNode,
    get_named_type,
)

from .errors import CompositionError, error
from .merge.model import Applied, MergedType, Supergraph

__all__ = ["inaccessible_in_defaults"]


def _hidden(directives: list[Applied]) -> bool:
    return any(d.name == "inaccessible" for d in directives)


def _hidden_uses(
    supergraph: Supergraph, value: ConstValueNode, type_: GraphQLType | None
) -> Iterator[str]:
    """``Input field "T.f"`` / ``Enum value "E.V"`` for each hidden element ``value`` uses."""
    named = get_named_type(type_) if type_ is not None else None
    merged = supergraph.types.get(named.name) if named is not None else None
    if merged is None:
        return
    if isinstance(value, ListValueNode):
        for item in value.values:
            yield from _hidden_uses(supergraph, item, type_)
    elif isinstance(value, ObjectValueNode) and merged.kind == "input":
        for entry in value.fields:
            field = merged.fields.get(entry.name.value)
            if field is None:
                continue
            if _hidden(field.directives):
                yield f'Input field "{merged.name}.{field.name}"'
            yield from _hidden_uses(supergraph, entry.value, field.type)
    elif isinstance(value, EnumValueNode) and merged.kind == "enum":
        enum_value = merged.values.get(value.value)
        if enum_value is not None and _hidden(enum_value.directives):
            yield f'Enum value "{merged.name}.{enum_value.name}"'


def _defaults(merged: MergedType) -> Iterator[tuple[str, ConstValueNode, GraphQLType | None]]:
    """(coordinate, default, type) of every visible defaulted argument or input field."""
    for field in merged.fields.values():
        if _hidden(field.directives):
            continue
        if field.default is not None:
            yield f"{merged.name}.{field.name}", field.default, field.type
        for argument in field.arguments.values():
            if argument.default is not None and not _hidden(argument.directives):
                coordinate = f"{merged.name}.{field.name}({argument.name}:)"
                yield coordinate, argument.default, argument.type


def inaccessible_in_defaults(supergraph: Supergraph) -> Iterator[CompositionError]:
    graphs = {enum_value: name for enum_value, name, _ in supergraph.graphs}
    for merged in supergraph.types.values():
        if _hidden(merged.directives):
            continue
        subgraphs = [
            graphs[graph]
            for d in merged.directives
            if d.name == "join__type" and (graph := getattr(d.argument("graph"), "value", None))
        ]
        for coordinate, default, type_ in _defaults(merged):
            for element in _hidden_uses(supergraph, default, type_):
                yield error(
                    "DEFAULT_VALUE_USES_INACCESSIBLE",
                    f"{element} is @inaccessible but is used in the default value of"
                    f' "{coordinate}", which is in the API schema.',
                    dict.fromkeys(subgraphs),
                    [coordinate],
                )
