"""A join-spec supergraph loaded into frozen routing data.

The planner never looks at directives: it asks this model which subgraphs resolve a field,
which keys an entity has in a subgraph, what a field requires or provides, and which object
types an abstract type can be at runtime in a subgraph. Everything is computed once per
supergraph, so planning does no schema work per request.

An ``@interfaceObject`` (``@join__type(..., isInterfaceObject: true)`` on an interface) is a
subgraph that knows an entity interface as one object type and none of its implementations.
The fields it contributes show on the implementations with a bare ``@join__field`` (no
subgraph defines them on that type); the model resolves them in the interface-object subgraph
"via" the interface (``FieldJoin.via_interface``), keyed by the interface's keys there.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DirectiveNode,
    GraphQLEnumType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    build_ast_schema,
    parse,
    value_from_ast_untyped,
)

from router.composition.api_schema import api_schema_from_supergraph

__all__ = ["FieldJoin", "Key", "Subgraph", "Supergraph", "SupergraphError", "TypeJoin"]


class SupergraphError(ValueError):
    """The SDL is not a usable join-spec supergraph."""


@dataclass(frozen=True, slots=True)
class Subgraph:
    name: str
    url: str


@dataclass(frozen=True, slots=True)
class Key:
    """One ``@key`` of an entity in one subgraph (``fields`` is a field-set string)."""

    graph: str
    fields: str
    resolvable: bool


@dataclass(frozen=True, slots=True)
class FieldJoin:
    """How one subgraph knows a field (one ``@join__field``, or the implicit default)."""

    graph: str
    requires: str | None = None
    provides: str | None = None
    external: bool = False
    used_overridden: bool = False
    type: str | None = None  # the field's type in this subgraph when it differs (printed)
    # set when ``graph`` knows the field only on this interface, as an @interfaceObject
    via_interface: str | None = None

    @property
    def resolves(self) -> bool:
        return not self.external and not self.used_overridden


@dataclass(frozen=True, slots=True)
class TypeJoin:
    """Where a composite type lives: its subgraphs, keys and per-field joins."""

    name: str
    graphs: tuple[str, ...]
    keys: tuple[Key, ...]
    fields: Mapping[str, tuple[FieldJoin, ...]]
    interface_object_graphs: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Supergraph:
    """Routing data of a supergraph plus its API schema (what clients may query)."""

    subgraphs: Mapping[str, Subgraph]
    types: Mapping[str, TypeJoin]
    schema: GraphQLSchema  # the full supergraph schema (key fields may be inaccessible)
    api_schema: GraphQLSchema
    # (graph, abstract type) -> object types it can be at runtime in that graph
    possible_in_graph: Mapping[tuple[str, str], tuple[str, ...]]
    # abstract type -> object types (API schema)
    possible_types: Mapping[str, frozenset[str]]
    # (object type, graph) -> the interface that graph knows it through, as an @interfaceObject
    interface_object_of: Mapping[tuple[str, str], str] = field(default_factory=dict)

    @classmethod
    def from_sdl(cls, sdl: str) -> Supergraph:
        return _load(sdl)

    def field_joins(self, type_name: str, field_name: str) -> tuple[FieldJoin, ...]:
        type_join = self.types.get(type_name)
        if type_join is None:
            return ()
        return type_join.fields.get(field_name, ())

    def field_join(self, type_name: str, field_name: str, graph: str) -> FieldJoin | None:
        for join in self.field_joins(type_name, field_name):
            if join.graph == graph:
                return join
        return None

    def resolving_graphs(self, type_name: str, field_name: str) -> tuple[str, ...]:
        return tuple(j.graph for j in self.field_joins(type_name, field_name) if j.resolves)

    def keys_in(self, type_name: str, graph: str) -> tuple[Key, ...]:
        """The keys of ``type_name`` in ``graph`` (an implementation of an interface that
        ``graph`` knows as an @interfaceObject has that interface's keys there)."""
        type_join = self.types.get(type_name)
        if type_join is None:
            return ()
        interface = self.interface_object_of.get((type_name, graph))
        if interface is not None:
            type_join = self.types[interface]
        return tuple(k for k in type_join.keys if k.graph == graph)

    def is_interface_object(self, type_name: str, graph: str) -> bool:
        """Whether ``graph`` knows the interface ``type_name`` as an @interfaceObject."""
        type_join = self.types.get(type_name)
        return type_join is not None and graph in type_join.interface_object_graphs

    def interface_owners(self, type_name: str) -> tuple[str, ...]:
        """The graphs defining the entity interface itself with a resolvable key: they know
        every implementation, so they tell an entity's concrete ``__typename``."""
        type_join = self.types.get(type_name)
        if type_join is None:
            return ()
        return tuple(
            dict.fromkeys(
                k.graph
                for k in type_join.keys
                if k.resolvable and k.graph not in type_join.interface_object_graphs
            )
        )

    def has_type_in(self, type_name: str, graph: str) -> bool:
        type_join = self.types.get(type_name)
        return type_join is not None and graph in type_join.graphs

    def runtime_types(self, type_name: str, graph: str | None = None) -> tuple[str, ...]:
        """Object types a value of ``type_name`` can be (in ``graph`` when given)."""
        if type_name not in self.possible_types or (
            graph is not None and self.is_interface_object(type_name, graph)
        ):
            return (type_name,)
        if graph is None:
            return tuple(sorted(self.possible_types[type_name]))
        found = self.possible_in_graph.get((graph, type_name))
        if found is None:  # older join specs do not list implementations per graph
            found = tuple(
                t for t in sorted(self.possible_types[type_name]) if self.has_type_in(t, graph)
            )
        return found

    def is_abstract(self, type_name: str) -> bool:
        return type_name in self.possible_types


def _arguments(directive: DirectiveNode) -> dict[str, Any]:
    return {a.name.value: value_from_ast_untyped(a.value) for a in directive.arguments or ()}


def _directives(node: Any, name: str) -> list[dict[str, Any]]:
    return [_arguments(d) for d in node.directives or () if d.name.value == name]


def _graph_names(schema: GraphQLSchema) -> dict[str, Subgraph]:
    enum = schema.get_type("join__Graph")
    if not isinstance(enum, GraphQLEnumType) or enum.ast_node is None:
        raise SupergraphError("the supergraph has no join__Graph enum")
    graphs: dict[str, Subgraph] = {}
    for value in enum.ast_node.values or ():
        for args in _directives(value, "join__graph"):
            graphs[value.name.value] = Subgraph(name=args["name"], url=args["url"])
    return graphs


def _field_joins(
    field_node: Any, type_graphs: tuple[str, ...], graph_of: Mapping[str, str]
) -> tuple[FieldJoin, ...]:
    joins = _directives(field_node, "join__field")
    if not joins:
        return tuple(FieldJoin(graph=g) for g in type_graphs)
    # a bare @join__field: no subgraph defines the field on this type (an @interfaceObject
    # contributes it through an interface; see _with_interface_object_fields)
    explicit = [j for j in joins if j.get("graph") is not None]
    return tuple(
        FieldJoin(
            graph=graph_of[j["graph"]],
            requires=j.get("requires"),
            provides=j.get("provides"),
            external=bool(j.get("external")),
            used_overridden=bool(j.get("usedOverridden")),
            type=j.get("type"),
        )
        for j in explicit
    )


def _type_join(node: Any, graph_of: Mapping[str, str]) -> TypeJoin:
    type_dirs = _directives(node, "join__type")
    graphs = tuple(dict.fromkeys(graph_of[d["graph"]] for d in type_dirs))
    keys = tuple(
        Key(graph=graph_of[d["graph"]], fields=d["key"], resolvable=d.get("resolvable", True))
        for d in type_dirs
        if d.get("key")
    )
    fields = {
        f.name.value: _field_joins(f, graphs, graph_of) for f in getattr(node, "fields", ()) or ()
    }
    interface_objects = frozenset(
        graph_of[d["graph"]] for d in type_dirs if d.get("isInterfaceObject")
    )
    return TypeJoin(node.name.value, graphs, keys, fields, interface_objects)


def _with_interface_object_fields(
    schema: GraphQLSchema, types: dict[str, TypeJoin]
) -> dict[tuple[str, str], str]:
    """Give each implementation the joins of the fields an @interfaceObject adds to its
    interfaces (in ``types``, replaced in place); return (object type, graph) -> interface."""
    interface_object_of: dict[tuple[str, str], str] = {}
    for name, named in schema.type_map.items():
        if not isinstance(named, GraphQLObjectType) or name not in types:
            continue
        type_join = types[name]
        fields = {f: list(joins) for f, joins in type_join.fields.items()}
        for interface in named.interfaces:
            interface_join = types.get(interface.name)
            if interface_join is None:
                continue
            for graph in sorted(interface_join.interface_object_graphs - set(type_join.graphs)):
                interface_object_of.setdefault((name, graph), interface.name)
                for field_name, joins in fields.items():
                    if any(j.graph == graph for j in joins):
                        continue
                    joins.extend(
                        dataclasses.replace(j, via_interface=interface.name)
                        for j in interface_join.fields.get(field_name, ())
                        if j.graph == graph
                    )
        types[name] = dataclasses.replace(
            type_join, fields={f: tuple(joins) for f, joins in fields.items()}
        )
    return interface_object_of


def _possible_in_graph(
    schema: GraphQLSchema, graph_of: Mapping[str, str], types: Mapping[str, TypeJoin]
) -> dict[tuple[str, str], tuple[str, ...]]:
    result: dict[tuple[str, str], list[str]] = {}
    for named in schema.type_map.values():
        node = named.ast_node
        if node is None:
            continue
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            for args in _directives(node, "join__implements"):
                key = (graph_of[args["graph"]], args["interface"])
                result.setdefault(key, []).append(named.name)
        elif isinstance(named, GraphQLUnionType):
            for args in _directives(node, "join__unionMember"):
                result.setdefault((graph_of[args["graph"]], named.name), []).append(args["member"])
    objects = {n for n, t in schema.type_map.items() if isinstance(t, GraphQLObjectType)}
    return {
        key: tuple(sorted(t for t in names if t in objects and key[0] in types[t].graphs))
        for key, names in result.items()
    }


def _load(sdl: str) -> Supergraph:
    try:
        schema = build_ast_schema(parse(sdl), assume_valid_sdl=True)
    except Exception as error:  # graphql-core raises several error types here
        raise SupergraphError(f"invalid supergraph SDL: {error}") from error
    subgraphs = _graph_names(schema)
    graph_of = {enum_value: sub.name for enum_value, sub in subgraphs.items()}
    types = {
        name: _type_join(named.ast_node, graph_of)
        for name, named in schema.type_map.items()
        if named.ast_node is not None
        and isinstance(named, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType)
        and not name.startswith(("join__", "link__"))
    }
    interface_object_of = _with_interface_object_fields(schema, types)
    api_schema = api_schema_from_supergraph(schema)
    possible_types = {
        name: frozenset(t.name for t in api_schema.get_possible_types(named))
        for name, named in api_schema.type_map.items()
        if isinstance(named, GraphQLInterfaceType | GraphQLUnionType)
    }
    return Supergraph(
        subgraphs={s.name: s for s in subgraphs.values()},
        types=types,
        schema=schema,
        api_schema=api_schema,
        possible_in_graph=_possible_in_graph(schema, graph_of, types),
        possible_types=possible_types,
        interface_object_of=interface_object_of,
    )
