"""``@authenticated``, ``@requiresScopes`` and ``@policy`` in one subgraph: they belong on
objects, their fields, scalars and enums, never on interfaces, interface fields or
``@interfaceObject`` types (``AUTH_REQUIREMENTS_APPLIED_ON_INTERFACE``): an interface's
requirements are derived from its implementations at merge time.
"""

from __future__ import annotations

from graphql import GraphQLInterfaceType, GraphQLObjectType

from .errors import CompositionError, in_subgraph
from .expand import Subgraph
from .metadata import Metadata, composite_types, field_directives, type_directives

__all__ = ["validate_auth"]

_ACCESS_CONTROL = ("authenticated", "requiresScopes", "policy")


def _error(subgraph: Subgraph, directive: str, kind: str, coordinate: str) -> CompositionError:
    local = subgraph.local_names[directive]
    return in_subgraph(
        "AUTH_REQUIREMENTS_APPLIED_ON_INTERFACE",
        subgraph.name,
        f'Invalid use of @{local} on {kind} "{coordinate}": @{local} cannot be applied on'
        " interfaces, interface fields and interface objects",
        coordinate,
    )


def validate_auth(subgraph: Subgraph, meta: Metadata) -> list[CompositionError]:
    errors: list[CompositionError] = []
    for directive in _ACCESS_CONTROL:
        if directive not in subgraph.local_names:
            continue
        for named in composite_types(subgraph):
            interface_object = (
                isinstance(named, GraphQLObjectType) and named.name in meta.interface_objects
            )
            if (isinstance(named, GraphQLInterfaceType) or interface_object) and type_directives(
                named, directive
            ):
                kind = "interface object" if interface_object else "interface"
                errors.append(_error(subgraph, directive, kind, named.name))
            if not isinstance(named, GraphQLInterfaceType):
                continue
            for name, field in named.fields.items():
                if field_directives(field, directive):
                    errors.append(_error(subgraph, directive, "field", f"{named.name}.{name}"))
    return errors
