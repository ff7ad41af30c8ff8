"""What federation directives mean inside one expanded subgraph.

Mirrors Apollo's ``FederationMetadata``: which fields are external (minus the "fake"
externals: key fields of an extension), provided, shareable (``@shareable`` on the field or
on the definition/extension declaring it, key fields, provided externals) and used (by a
key, requires, provides or to satisfy an interface).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    get_named_type,
)

from .expand import Subgraph
from .fieldset import SelectedField, selected_before_error

__all__ = [
    "Metadata",
    "argument_value",
    "composite_types",
    "directive_nodes",
    "element_directives",
    "field_directives",
    "metadata_of",
    "type_directives",
]


def directive_nodes(named: GraphQLNamedType) -> list[Any]:
    """The definition node and extension nodes of a type, in source order."""
    nodes = [named.ast_node] if named.ast_node is not None else []
    return nodes + list(getattr(named, "extension_ast_nodes", None) or ())


def element_directives(element: Any) -> list[Any]:
    """Directive applications of a subgraph element (all definition/extension nodes of a type)."""
    if isinstance(element, GraphQLNamedType):
        return [d for n in directive_nodes(element) for d in n.directives or ()]
    node = getattr(element, "ast_node", None)
    return list(getattr(node, "directives", None) or ())


def type_directives(named: GraphQLNamedType, name: str) -> list[Any]:
    return [d for n in directive_nodes(named) for d in n.directives or () if d.name.value == name]


def field_directives(field: Any, name: str) -> list[Any]:
    return [d for d in element_directives(field) if d.name.value == name]


def argument_value(directive: Any, name: str) -> Any:
    for arg in directive.arguments or ():
        if arg.name.value == name:
            return getattr(arg.value, "value", None)
    return None


def composite_types(subgraph: Subgraph) -> Iterator[GraphQLObjectType | GraphQLInterfaceType]:
    for named in subgraph.schema.type_map.values():
        if named.name.startswith("__"):
            continue
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            yield named


@dataclass(frozen=True, slots=True)
class Metadata:
    interface_objects: frozenset[str]
    external: frozenset[str]
    provided: frozenset[str]
    shareable: frozenset[str]
    used: frozenset[str]

    def is_external(self, coordinate: str) -> bool:
        return coordinate in self.external

    def is_fully_external(self, coordinate: str) -> bool:
        return coordinate in self.external and coordinate not in self.provided


def _targets(subgraph: Subgraph, parent: GraphQLNamedType, fields: str) -> list[str]:
    """Coordinates a field set selects, with implementations of selected interface fields."""
    selected: list[SelectedField] = selected_before_error(subgraph.schema, parent, fields)
    out: list[str] = []
    for sel in selected:
        out.append(sel.coordinate)
        owner = subgraph.schema.get_type(sel.parent)
        if isinstance(owner, GraphQLInterfaceType):
            for implementation in subgraph.schema.get_possible_types(owner):
                if sel.name in implementation.fields:
                    out.append(f"{implementation.name}.{sel.name}")
    return out


def _fields(named: GraphQLObjectType | GraphQLInterfaceType) -> Iterator[tuple[str, GraphQLField]]:
    for field_name, field in named.fields.items():
        yield f"{named.name}.{field_name}", field


def _key_targets(subgraph: Subgraph) -> tuple[set[str], set[str]]:
    """(all key fields, key fields of extensions) as coordinates."""
    keyed: set[str] = set()
    on_extension: set[str] = set()
    for type_name, keys in subgraph.keys.items():
        named = subgraph.schema.get_type(type_name)
        if named is None:
            continue
        for key in keys:
            targets = _targets(subgraph, named, key.fields)
            keyed.update(targets)
            if key.on_extension:
                on_extension.update(t for t in targets if t.split(".")[0] == type_name)
    return keyed, on_extension


def _selection_targets(subgraph: Subgraph, directive: str) -> set[str]:
    """Targets of every ``@requires`` (on the parent) and ``@provides`` (on the field type)."""
    found: set[str] = set()
    for named in composite_types(subgraph):
        for _coordinate, field in _fields(named):
            for application in field_directives(field, directive):
                fields = argument_value(application, "fields")
                target = named if directive == "requires" else get_named_type(field.type)
                if isinstance(fields, str):
                    found.update(_targets(subgraph, target, fields))
    return found


def _declared_external(subgraph: Subgraph) -> set[str]:
    external: set[str] = set()
    for named in composite_types(subgraph):
        on_type = subgraph.is_fed2 and bool(type_directives(named, "external"))
        for coordinate, field in _fields(named):
            if on_type or field_directives(field, "external"):
                external.add(coordinate)
    return external


def _shareable(subgraph: Subgraph, keyed: set[str], provided_external: set[str]) -> set[str]:
    shareable = set(keyed) | provided_external
    for named in composite_types(subgraph):
        if not subgraph.is_fed2:
            shareable.update(c for c, _ in _fields(named))
            continue
        for node in directive_nodes(named):
            if any(d.name.value == "shareable" for d in node.directives or ()):
                shareable.update(f"{named.name}.{f.name.value}" for f in node.fields or ())
        for coordinate, field in _fields(named):
            if field_directives(field, "shareable"):
                shareable.add(coordinate)
    return shareable


def _interface_implementation_fields(subgraph: Subgraph) -> set[str]:
    used: set[str] = set()
    for named in composite_types(subgraph):
        if isinstance(named, GraphQLInterfaceType):
            for implementation in subgraph.schema.get_possible_types(named):
                used.update(
                    f"{implementation.name}.{f}" for f in named.fields if f in implementation.fields
                )
    return used


def metadata_of(subgraph: Subgraph) -> Metadata:
    keyed, extension_keys = _key_targets(subgraph)
    declared = _declared_external(subgraph)
    external = declared - extension_keys  # "fake" externals: key fields of an extension
    required = _selection_targets(subgraph, "requires")
    provided = _selection_targets(subgraph, "provides")
    interface_objects = frozenset(
        n.name
        for n in composite_types(subgraph)
        if isinstance(n, GraphQLObjectType) and type_directives(n, "interfaceObject")
    )
    return Metadata(
        interface_objects=interface_objects,
        external=frozenset(external),
        provided=frozenset(provided),
        shareable=frozenset(_shareable(subgraph, keyed, provided & external)),
        used=frozenset(keyed | required | provided | _interface_implementation_fields(subgraph)),
    )
