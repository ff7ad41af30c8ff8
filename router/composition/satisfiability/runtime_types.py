"""``SHAREABLE_HAS_MISMATCHED_RUNTIME_TYPES``: subgraphs sharing a field of abstract type
must agree on at least one runtime type it resolves to (Apollo's ``validateTransition``)."""

from __future__ import annotations

from collections.abc import Sequence

from graphql import GraphQLInterfaceType, GraphQLObjectType, GraphQLUnionType, get_named_type

from ..errors import CompositionError, error, subgraph_list
from ..merge.model import MergedField, MergedType
from ..print_supergraph import locale_key
from .position import Position
from .subgraph_view import SubgraphView
from .witness import Step, witness

__all__ = ["mismatched_runtime_types"]


def mismatched_runtime_types(
    view: SubgraphView,
    operation: str,
    path: Sequence[Step],
    parent: MergedType,
    field: MergedField,
    positions: Sequence[Position],
) -> CompositionError | None:
    """The error when the subgraph paths reaching ``parent.field`` (``positions``, the
    subgraph's own type of the field each) resolve it to disjoint sets of runtime types."""
    named = get_named_type(field.type) if field.type is not None else None
    target = view.supergraph.types.get(named.name) if named is not None else None
    if target is None or target.kind not in ("union", "interface") or len(positions) < 2:
        return None
    if parent.kind != "object" or not _shared(parent, field):
        return None
    if sum(1 for p in positions if _is_abstract(view, p)) < 2:
        return None
    every = set(target.members) | {
        t.name for t in view.supergraph.types.values() if target.name in t.interfaces
    }
    common = set(every)
    groups: dict[str, list[str]] = {}
    any_defined = False
    for position in positions:
        names = _runtime_types(view, position)
        if len(names) == 1 and names[0] not in every:
            continue
        described = "no runtime type is defined"
        if names:
            any_defined = True
            quoted = [f'"{n}"' for n in names]
            listed = (
                quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]
            )
            described = ("types " if len(names) > 1 else "type ") + listed
        subgraph = view.subgraphs[position.subgraph].name
        if subgraph not in groups.setdefault(described, []):
            groups[described].append(subgraph)
        common &= set(names)
    if common or not any_defined:
        return None
    coordinate = f"{parent.name}.{field.name}"
    lines = ";\n".join(f" - in {subgraph_list(n)}, {d}" for d, n in groups.items())
    return error(
        "SHAREABLE_HAS_MISMATCHED_RUNTIME_TYPES",
        "For the following supergraph API query:\n"
        + witness(operation, path, leaf=False)
        + f'Shared field "{coordinate}" return type "{field.type}" has a'
        " non-intersecting set of possible runtime types across subgraphs. Runtime"
        f" types in subgraphs are:\n{lines}.\nThis is not allowed as shared fields must"
        " resolve the same way in all subgraphs, and that implies at least some common"
        " runtime types between the subgraphs.",
        [view.subgraphs[p.subgraph].name for p in positions],
        [coordinate],
    )


def _is_abstract(view: SubgraphView, position: Position) -> bool:
    named = view.subgraphs[position.subgraph].schema.get_type(position.type_name)
    return isinstance(named, GraphQLUnionType | GraphQLInterfaceType)


def _runtime_types(view: SubgraphView, position: Position) -> list[str]:
    schema = view.subgraphs[position.subgraph].schema
    named = schema.get_type(position.type_name)
    if isinstance(named, GraphQLObjectType):
        return [named.name]
    if isinstance(named, GraphQLUnionType | GraphQLInterfaceType):
        return sorted((t.name for t in schema.get_possible_types(named)), key=locale_key)
    return []


def _shared(parent: MergedType, field: MergedField) -> bool:
    """Resolved by more than one subgraph (Apollo's ``ValidationContext.isShareable``)."""
    joins = [d for d in field.directives if d.name == "join__field"]
    if not joins:
        return sum(1 for d in parent.directives if d.name == "join__type") > 1
    return (
        sum(
            1
            for d in joins
            if d.argument("external") is None and d.argument("usedOverridden") is None
        )
        > 1
    )
