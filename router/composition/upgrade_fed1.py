"""Apollo's upgrade of a Federation 1 subgraph drops the ``@external`` fields nothing uses
(Federation 2 would reject them with ``EXTERNAL_UNUSED``), then the types left without
fields; a type left empty that something still references cannot be dropped:
``TYPE_WITH_ONLY_UNUSED_EXTERNAL``.
"""

from __future__ import annotations

from graphql import (
    DocumentNode,
    GraphQLUnionType,
    TypeDefinitionNode,
    TypeExtensionNode,
    get_named_type,
)

from .errors import CompositionError, in_subgraph
from .expand import Subgraph, rebuilt
from .metadata import Metadata, composite_types

__all__ = ["remove_unused_externals"]


def _unused(subgraph: Subgraph, meta: Metadata) -> tuple[set[str], list[str]]:
    """(unused external coordinates, types all of whose fields are such)."""
    unused: set[str] = set()
    emptied: list[str] = []
    for named in composite_types(subgraph):
        coordinates = [f"{named.name}.{name}" for name in named.fields]
        dropped = [c for c in coordinates if meta.is_external(c) and c not in meta.used]
        unused.update(dropped)
        if dropped and len(dropped) == len(coordinates):
            emptied.append(named.name)
    return unused, emptied


def _referenced(subgraph: Subgraph, type_name: str, dropped: set[str]) -> bool:
    for named in subgraph.schema.type_map.values():
        if named.name.startswith("__"):
            continue
        if isinstance(named, GraphQLUnionType) and any(t.name == type_name for t in named.types):
            return True
        for name, field in getattr(named, "fields", {}).items():
            if f"{named.name}.{name}" in dropped:
                continue
            named_type = get_named_type(field.type)
            if named_type is not None and named_type.name == type_name:
                return True
    return False


def _without(document: DocumentNode, dropped: set[str], types: set[str]) -> DocumentNode:
    definitions = []
    for node in document.definitions:
        if isinstance(node, TypeDefinitionNode | TypeExtensionNode):
            name = node.name.value
            if name in types:
                continue
            fields = getattr(node, "fields", None)
            if fields is not None:
                kept = tuple(f for f in fields if f"{name}.{f.name.value}" not in dropped)
                if len(kept) != len(fields):
                    node = type(node)(
                        **{k: getattr(node, k) for k in node.keys if k != "loc"} | {"fields": kept}
                    )
        definitions.append(node)
    return DocumentNode(definitions=tuple(definitions))


def remove_unused_externals(
    subgraph: Subgraph, meta: Metadata
) -> tuple[Subgraph, list[CompositionError]]:
    """The Federation 1 ``subgraph`` without unused externals, or why that is impossible."""
    dropped, emptied = _unused(subgraph, meta)
    if not dropped:
        return subgraph, []
    errors = [
        in_subgraph(
            "TYPE_WITH_ONLY_UNUSED_EXTERNAL",
            subgraph.name,
            f"Type {name} contains only external fields and all those fields are all unused"
            " (they do not appear in any @key, @provides or @requires).",
            name,
        )
        for name in emptied
        if _referenced(subgraph, name, dropped)
    ]
    if errors:
        return subgraph, errors
    return rebuilt(subgraph, _without(subgraph.document, dropped, set(emptied))), []
