"""``@authenticated``/``@requiresScopes``/``@policy`` across subgraphs.

Different requirements on one element are AND-ed (Apollo's ``DNF_CONJUNCTION``: the product
of the alternatives, each sorted, without duplicates or subsumed alternatives), and an
interface inherits the requirements of its implementations (and an ``@interfaceObject``'s
field requirements reach the implementations), so no path around them exists.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from graphql import (
    ConstListValueNode,
    ConstValueNode,
    GraphQLInterfaceType,
    GraphQLObjectType,
    StringValueNode,
    value_from_ast_untyped,
)

from ..expand import Subgraph
from ..metadata import Metadata, element_directives
from .model import MergedType

__all__ = [
    "ACCESS_CONTROL",
    "DNF_ARGUMENTS",
    "access_control_sources",
    "dnf_conjunction",
    "merge_dnf_argument",
]

ACCESS_CONTROL = ("authenticated", "requiresScopes", "policy")
DNF_ARGUMENTS = {"requiresScopes": "scopes", "policy": "policies"}


def _key(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _without_subsumed(alternatives: list[list[str]]) -> list[list[str]]:
    kept: list[list[str]] = []
    for candidate in sorted(alternatives, key=len):
        if not any(set(r) <= set(candidate) for r in kept):
            kept.append(candidate)
    return kept


def dnf_conjunction(values: Sequence[list[list[str]]]) -> list[list[str]]:
    """AND of requirements written in disjunctive normal form."""
    normalized: list[list[list[str]]] = []
    for value in values:
        clauses = sorted((sorted(c) for c in (value or [[]])), key=_key)
        if _key(clauses) not in {_key(n) for n in normalized}:
            normalized.append(clauses)
    if not normalized:
        return []
    result = normalized[0]
    for current in normalized[1:]:
        product: dict[str, list[str]] = {}
        for left in result:
            for right in current:
                candidate = sorted([*left, *(e for e in right if e not in left)])
                product.setdefault(_key(candidate), candidate)
        result = _without_subsumed(list(product.values()))
    return result


def merge_dnf_argument(values: Iterable[ConstValueNode]) -> ConstListValueNode:
    merged = dnf_conjunction([value_from_ast_untyped(v) for v in values])
    return ConstListValueNode(
        values=tuple(
            ConstListValueNode(values=tuple(StringValueNode(value=e) for e in clause))
            for clause in merged
        )
    )


def _applies(element: Any, name: str) -> bool:
    return any(d.name.value == name for d in element_directives(element))


def access_control_sources(
    subgraphs: Sequence[Subgraph], metas: Sequence[Metadata], types: dict[str, MergedType]
) -> dict[str, list[Any]]:
    """Extra sources per ``"<coordinate>_<directive>"`` (Apollo's
    ``accessControlAdditionalSources``)."""
    implementations: dict[str, list[str]] = {}
    for merged in types.values():
        for interface in merged.interfaces:
            implementations.setdefault(interface, []).append(merged.name)
    interfaces_of = {t.name: t.interfaces for t in types.values()}
    found: dict[str, list[Any]] = {}
    for subgraph, meta in zip(subgraphs, metas, strict=True):
        for named in subgraph.schema.type_map.values():
            if named.name.startswith("__") or not isinstance(
                named, GraphQLObjectType | GraphQLInterfaceType
            ):
                continue
            for name in ACCESS_CONTROL:
                if isinstance(named, GraphQLObjectType) and _applies(named, name):
                    for interface in interfaces_of.get(named.name, []):
                        found.setdefault(f"{interface}_{name}", []).append(named)
                if not isinstance(named, GraphQLObjectType):
                    continue
                for field_name, field in named.fields.items():
                    coordinate = f"{named.name}.{field_name}"
                    if not _applies(field, name) or meta.is_external(coordinate):
                        continue
                    for owner in _owners(named.name, meta, implementations, interfaces_of):
                        found.setdefault(f"{owner}.{field_name}_{name}", []).append(field)
    return found


def _owners(
    name: str,
    meta: Metadata,
    implementations: dict[str, list[str]],
    interfaces_of: dict[str, list[str]],
) -> list[str]:
    """The merged types whose field also carries this object's field requirement."""
    if name not in meta.interface_objects:
        return list(interfaces_of.get(name, []))
    owners = list(implementations.get(name, []))
    for implementation in implementations.get(name, []):
        owners.extend(i for i in interfaces_of.get(implementation, []) if i != name)
    return list(dict.fromkeys(owners))
