"""``@shareable`` placement in one subgraph (``INVALID_SHAREABLE_USAGE``): only object type
fields can be shareable, and a type definition, an extension or a field carries it at most
once (a type may repeat it across its definition and extensions).
"""

from __future__ import annotations

from graphql import GraphQLInterfaceType, GraphQLObjectType

from .errors import CompositionError, in_subgraph
from .expand import Subgraph
from .metadata import composite_types, directive_nodes, field_directives

__all__ = ["validate_shareable"]

_DUPLICATE = (
    "@shareable is only repeatable on types so it can be used simultaneously on a type"
    " definition and its extensions, but it should not be duplicated on the same"
    " definition/extension declaration"
)


def _count(node: object) -> int:
    return sum(1 for d in getattr(node, "directives", None) or () if d.name.value == "shareable")


def validate_shareable(subgraph: Subgraph) -> list[CompositionError]:
    errors: list[CompositionError] = []
    for named in composite_types(subgraph):
        if isinstance(named, GraphQLObjectType):
            if any(_count(node) > 1 for node in directive_nodes(named)):
                errors.append(
                    in_subgraph(
                        "INVALID_SHAREABLE_USAGE",
                        subgraph.name,
                        "Invalid duplicate application of @shareable on the same type"
                        f' declaration of "{named.name}": {_DUPLICATE}',
                        named.name,
                    )
                )
            for name, field in named.fields.items():
                if _count(field.ast_node) > 1:
                    coordinate = f"{named.name}.{name}"
                    errors.append(
                        in_subgraph(
                            "INVALID_SHAREABLE_USAGE",
                            subgraph.name,
                            f'Invalid duplicate application of @shareable on field "{coordinate}":'
                            f" {_DUPLICATE}",
                            coordinate,
                        )
                    )
    for named in composite_types(subgraph):
        if not isinstance(named, GraphQLInterfaceType):
            continue
        for name, field in named.fields.items():
            if field_directives(field, "shareable"):
                coordinate = f"{named.name}.{name}"
                errors.append(
                    in_subgraph(
                        "INVALID_SHAREABLE_USAGE",
                        subgraph.name,
                        f'Invalid use of @shareable on field "{coordinate}": only object type'
                        " fields can be marked with @shareable",
                        coordinate,
                    )
                )
    return errors
