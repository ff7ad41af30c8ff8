"""The merged supergraph under construction: plain records the merge fills and the printer reads.

Applied directives keep graphql-core value nodes so printing is ``print_ast``; join
directives are built here with :func:`applied`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graphql import (
    BooleanValueNode,
    ConstValueNode,
    EnumValueNode,
    FloatValueNode,
    GraphQLType,
    ListValueNode,
    Node,
    ObjectValueNode,
    StringValueNode,
    ValueNode,
    print_ast,
)

from ..js_number import js_number

__all__ = [
    "Applied",
    "MergedArgument",
    "MergedDirective",
    "MergedEnumValue",
    "MergedField",
    "MergedType",
    "Supergraph",
    "applied",
    "print_value",
]


def print_value(value: ValueNode) -> str:
    """A value on one line, however long (graphql-core wraps long lists and objects), floats
    in JavaScript's normal form as Apollo prints them (``1.0`` -> ``1``)."""
    if isinstance(value, FloatValueNode):
        return js_number(value.value)
    if isinstance(value, ListValueNode):
        return "[" + ", ".join(print_value(v) for v in value.values) + "]"
    if isinstance(value, ObjectValueNode):
        fields = (f"{f.name.value}: {print_value(f.value)}" for f in value.fields)
        return "{" + ", ".join(fields) + "}"
    return print_ast(value)


@dataclass(slots=True)
class Applied:
    """A directive application in the supergraph."""

    name: str
    arguments: tuple[tuple[str, ConstValueNode], ...] = ()

    def __str__(self) -> str:
        if not self.arguments:
            return f"@{self.name}"
        args = ", ".join(f"{n}: {print_value(v)}" for n, v in self.arguments)
        return f"@{self.name}({args})"

    def argument(self, name: str) -> ConstValueNode | None:
        return next((v for n, v in self.arguments if n == name), None)


def applied(
    directive: str, /, **arguments: str | bool | tuple[str] | ConstValueNode | None
) -> Applied:
    """A join-spec application; tuple values are enum values, ``None`` values are left out."""
    args: list[tuple[str, ConstValueNode]] = []
    for arg, value in arguments.items():
        if value is None:
            continue
        if isinstance(value, Node):
            args.append((arg, value))
        elif isinstance(value, bool):
            args.append((arg, BooleanValueNode(value=value)))
        elif isinstance(value, tuple):
            args.append((arg, EnumValueNode(value=value[0])))
        else:
            args.append((arg, StringValueNode(value=value)))
    return Applied(directive, tuple(args))


@dataclass(slots=True)
class MergedArgument:
    name: str
    type: GraphQLType
    default: ConstValueNode | None = None
    description: str | None = None
    directives: list[Applied] = field(default_factory=list)


@dataclass(slots=True)
class MergedField:
    name: str
    type: GraphQLType | None = None
    arguments: dict[str, MergedArgument] = field(default_factory=dict)
    description: str | None = None
    directives: list[Applied] = field(default_factory=list)
    default: ConstValueNode | None = None  # input fields only


@dataclass(slots=True)
class MergedEnumValue:
    name: str
    description: str | None = None
    directives: list[Applied] = field(default_factory=list)


@dataclass(slots=True)
class MergedType:
    kind: str  # object | interface | union | enum | input | scalar
    name: str
    description: str | None = None
    directives: list[Applied] = field(default_factory=list)
    interfaces: list[str] = field(default_factory=list)
    fields: dict[str, MergedField] = field(default_factory=dict)
    members: list[str] = field(default_factory=list)
    values: dict[str, MergedEnumValue] = field(default_factory=dict)


@dataclass(slots=True)
class MergedDirective:
    """A directive definition the supergraph declares (custom, executable or from a spec)."""

    name: str
    sdl: str


@dataclass(slots=True)
class Supergraph:
    """Everything the join-spec printer needs."""

    graphs: list[tuple[str, str, str]]  # (enum value, subgraph name, routing url)
    links: list[Applied]
    directives: list[MergedDirective]
    spec_types: dict[str, str]  # name -> printed definition (join__/link__/policy__... types)
    types: dict[str, MergedType]
    roots: dict[str, str]  # operation -> type name
