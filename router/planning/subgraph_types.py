"""Field types as each subgraph declares them (``@join__field(type: ...)``).

A field may have a different type in each subgraph that defines it: nullable in one and
non-null in another, or an interface in one and one of its implementations in another. A
subgraph query must be valid against that subgraph's own schema, so the planner selects a
field's sub-selection on the subgraph's type, and only the object types that type can be
there. Like Apollo Gateway, it also leaves out the object types another subgraph that could
have resolved the field at the same point cannot return: ``@shareable`` fields return the
same values wherever they are resolved, so such a type never shows up.
"""

from __future__ import annotations

from collections.abc import Iterable

from graphql import GraphQLInterfaceType, GraphQLObjectType

from router.supergraph import Supergraph

__all__ = ["field_runtime_types", "field_type_in", "named_type"]


def named_type(printed: str) -> str:
    """``"[ID!]!"`` -> ``"ID"``."""
    return printed.strip("[]!")


def field_type_in(supergraph: Supergraph, parent: str, field_name: str, graph: str) -> str:
    """The printed type of ``parent.field_name`` in ``graph`` (the supergraph's by default)."""
    if field_name == "__typename":
        return "String!"
    join = supergraph.field_join(parent, field_name, graph)
    if join is not None and join.type:
        return join.type
    definition = supergraph.schema.get_type(parent)
    if isinstance(definition, GraphQLObjectType | GraphQLInterfaceType):
        field = definition.fields.get(field_name)
        if field is not None:
            return str(field.type)
    return ""


def field_runtime_types(
    supergraph: Supergraph,
    parent: str,
    field_name: str,
    field_type: str,
    graph: str,
    alternatives: Iterable[str],
) -> tuple[str, ...]:
    """The object types ``parent.field_name`` (of supergraph type ``field_type``) can be when
    ``graph`` resolves it and any of ``alternatives`` could have, sorted."""
    own = named_type(field_type_in(supergraph, parent, field_name, graph))
    allowed = set(supergraph.runtime_types(field_type))
    allowed &= set(supergraph.runtime_types(own or field_type, graph))
    for candidate in alternatives:
        theirs = named_type(field_type_in(supergraph, parent, field_name, candidate))
        possible = supergraph.runtime_types(theirs or field_type, candidate)
        if possible:  # none: an @interfaceObject there, which stands for every implementation
            allowed &= set(possible)
    return tuple(sorted(allowed))
