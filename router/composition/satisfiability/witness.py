"""The query a satisfiability error shows: the supergraph path to the failing field.

Printed as Apollo's ``buildWitnessOperation`` prints it with graphql-js: an anonymous query
as a bare selection set (``mutation {`` for mutations), downcasts as ``... on T``, and every
argument of a field given a made-up value of its type (``0``, ``"A string value"``, the first
enum value, ...), wrapped one per line when the line would pass 80 characters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from graphql import (
    BooleanValueNode,
    ConstListValueNode,
    ConstObjectFieldNode,
    ConstObjectValueNode,
    ConstValueNode,
    EnumValueNode,
    FloatValueNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLType,
    IntValueNode,
    NameNode,
    StringValueNode,
    get_named_type,
)

from ..merge.model import MergedField, Supergraph, print_value

__all__ = ["Cast", "FieldStep", "Step", "field_step", "witness"]

MAX_LINE_LENGTH = 80
SCALAR_VALUES: dict[str, ConstValueNode] = {
    "Int": IntValueNode(value="0"),
    "Float": FloatValueNode(value="3.14"),
    "Boolean": BooleanValueNode(value=True),
    "String": StringValueNode(value="A string value"),
    "ID": StringValueNode(value="<any id>"),
}


@dataclass(frozen=True, slots=True)
class FieldStep:
    """A field of the path, with the printed ``name: value`` of each of its arguments."""

    name: str
    arguments: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Cast:
    """A downcast of the path (``... on type_name``)."""

    type_name: str


Step = FieldStep | Cast


def field_step(field: MergedField, supergraph: Supergraph) -> FieldStep:
    """The step for ``field``, its (API schema) arguments given witness values."""
    arguments = tuple(
        f"{name}: {print_value(_value(argument.type, supergraph))}"
        for name, argument in field.arguments.items()
        if not any(d.name == "inaccessible" for d in argument.directives)
    )
    return FieldStep(field.name, arguments)


def _value(type_: GraphQLType, supergraph: Supergraph) -> ConstValueNode:
    """Apollo's ``generateWitnessValue``."""
    if isinstance(type_, GraphQLNonNull):
        return _value(type_.of_type, supergraph)
    if isinstance(type_, GraphQLList):
        return ConstListValueNode(values=())
    name = get_named_type(type_).name
    merged = supergraph.types.get(name)
    if merged is not None and merged.kind == "enum":
        visible = [
            v
            for v in merged.values.values()
            if not any(d.name == "inaccessible" for d in v.directives)
        ]
        return EnumValueNode(value=visible[0].name)
    if merged is not None and merged.kind == "input":
        return ConstObjectValueNode(
            fields=tuple(
                ConstObjectFieldNode(name=NameNode(value=f.name), value=_value(f.type, supergraph))
                for f in merged.fields.values()
                if f.type is not None
                and f.default is None
                and isinstance(f.type, GraphQLNonNull)
                and not any(d.name == "inaccessible" for d in f.directives)
            )
        )
    return SCALAR_VALUES.get(name, StringValueNode(value="<some value>"))


def witness(operation: str, steps: Sequence[Step], *, leaf: bool = True) -> str:
    """The printed query reaching the last step (a line break at the end); a last step of
    composite type (not a ``leaf``) gets the empty selection Apollo prints as ``...``."""
    lines = [("" if operation == "query" else f"{operation} ") + "{"]
    for depth, step in enumerate(steps, start=1):
        indent = "  " * depth
        opens = " {" if depth < len(steps) or not leaf else ""
        if isinstance(step, Cast):
            lines.append(f"{indent}... on {step.type_name}{opens}")
        elif len(step.name) + len(", ".join(step.arguments)) + 2 > MAX_LINE_LENGTH:
            lines.append(f"{indent}{step.name}(")
            lines.extend(f"{indent}  {argument}" for argument in step.arguments)
            lines.append(f"{indent}){opens}")
        elif step.arguments:
            lines.append(f"{indent}{step.name}({', '.join(step.arguments)}){opens}")
        else:
            lines.append(f"{indent}{step.name}{opens}")
    if not leaf:
        lines.append("  " * (len(steps) + 1) + "...")
        lines.append("  " * len(steps) + "}")
    lines.extend("  " * depth + "}" for depth in range(len(steps) - 1, -1, -1))
    return "\n".join(lines) + "\n"
