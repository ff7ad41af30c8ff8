"""Stage 4, post-merge validations on the merged supergraph model.

Interfaces must be fully implemented by every merged implementation
(``INTERFACE_FIELD_NO_IMPLEM``), and ``@inaccessible`` must leave a consistent API schema:
nothing visible may reference a hidden type, required arguments and input fields cannot be
hidden, and a visible type needs a visible field.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import GraphQLNonNull, get_named_type

from .errors import CompositionError, error, subgraph_list
from .inaccessible_defaults import inaccessible_in_defaults
from .merge.model import Applied, MergedArgument, MergedField, MergedType, Supergraph
from .validate_transitive_auth import validate_transitive_auth

__all__ = ["validate_supergraph"]


def _hidden(directives: list[Applied]) -> bool:
    return any(d.name == "inaccessible" for d in directives)


def _graphs_in(
    directives: list[Applied], graphs: dict[str, str], name: str, interface: str | None = None
) -> list[str]:
    """Subgraphs named by the ``graph:`` of ``@name`` applications (optionally for one
    ``interface:``), in order, without repeats."""
    names: list[str] = []
    for directive in directives:
        if directive.name != name:
            continue
        if interface is not None and getattr(directive.argument("interface"), "value", None) != (
            interface
        ):
            continue
        graph = getattr(directive.argument("graph"), "value", None)
        if graph is not None and graphs[graph] not in names:
            names.append(graphs[graph])
    return names


def _subgraphs_of(merged: MergedType, graphs: dict[str, str]) -> list[str]:
    return _graphs_in(merged.directives, graphs, "join__type")


def _interface_fields(supergraph: Supergraph) -> Iterator[CompositionError]:
    graphs = {enum_value: name for enum_value, name, _ in supergraph.graphs}
    for merged in supergraph.types.values():
        for interface_name in merged.interfaces:
            interface = supergraph.types.get(interface_name)
            if interface is None:
                continue
            for field_name, field in interface.fields.items():
                if field_name in merged.fields:
                    continue
                declared = _graphs_in(field.directives, graphs, "join__field") or (
                    _subgraphs_of(interface, graphs)
                )
                implementing = _graphs_in(
                    merged.directives, graphs, "join__implements", interface_name
                )
                yield error(
                    "INTERFACE_FIELD_NO_IMPLEM",
                    f'Interface field "{interface_name}.{field_name}" is declared in'
                    f' {subgraph_list(declared)} but type "{merged.name}", which implements'
                    f' "{interface_name}" only in {subgraph_list(implementing)} does not have'
                    f' field "{field_name}".',
                    implementing,
                    [f"{interface_name}.{field_name}"],
                )


def _references(
    merged: MergedType,
) -> Iterator[tuple[str, MergedField | MergedArgument, list[Applied]]]:
    for field in merged.fields.values():
        yield f"{merged.name}.{field.name}", field, field.directives
        for argument in field.arguments.values():
            coordinate = f"{merged.name}.{field.name}({argument.name}:)"
            yield coordinate, argument, field.directives + argument.directives


def _inaccessible(supergraph: Supergraph) -> Iterator[CompositionError]:
    graphs = {enum_value: name for enum_value, name, _ in supergraph.graphs}
    hidden = {name for name, t in supergraph.types.items() if _hidden(t.directives)}
    for merged in supergraph.types.values():
        if merged.name in hidden:
            continue
        subgraphs = _subgraphs_of(merged, graphs)
        for coordinate, element, directives in _references(merged):
            named = get_named_type(element.type)
            if named is not None and named.name in hidden and not _hidden(directives):
                yield error(
                    "REFERENCED_INACCESSIBLE",
                    f'Type "{named.name}" is @inaccessible but is referenced by "{coordinate}",'
                    " which is in the API schema.",
                    subgraphs,
                    [coordinate],
                )
            if (
                isinstance(element, MergedArgument)
                and _hidden(element.directives)
                and isinstance(element.type, GraphQLNonNull)
                and element.default is None
            ):
                yield error(
                    "REQUIRED_INACCESSIBLE",
                    f'Argument "{coordinate}" is @inaccessible but is a required argument of'
                    " its field.",
                    subgraphs,
                    [coordinate],
                )
        if merged.fields and all(_hidden(f.directives) for f in merged.fields.values()):
            yield error(
                "ONLY_INACCESSIBLE_CHILDREN",
                f'Type "{merged.name}" is in the API schema but all of its fields are'
                " @inaccessible.",
                subgraphs,
                [merged.name],
            )


def _query_root(supergraph: Supergraph) -> Iterator[CompositionError]:
    graphs = {enum_value: name for enum_value, name, _ in supergraph.graphs}
    query = supergraph.types.get(supergraph.roots.get("query", ""))
    if query is not None and _hidden(query.directives):
        yield error(
            "QUERY_ROOT_TYPE_INACCESSIBLE",
            f'Type "{query.name}" is @inaccessible but is the root query type, which must be in'
            " the API schema.",
            _subgraphs_of(query, graphs),
            [query.name],
        )


def validate_supergraph(supergraph: Supergraph) -> list[CompositionError]:
    return [
        *_interface_fields(supergraph),
        *_query_root(supergraph),
        *_inaccessible(supergraph),
        *inaccessible_in_defaults(supergraph),
        *validate_transitive_auth(supergraph),
    ]
