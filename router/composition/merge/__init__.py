"""Stage 3, merge subgraphs into one supergraph model (Apollo's ``Merger``), one module per kind.

Order matters and follows Apollo: implemented interfaces and unions first (subtyping needs
them), then scalars, inputs, interfaces and objects, then enums (whose rules depend on where
the other types use them), then the applied directives recorded along the way.
"""

from __future__ import annotations

from collections.abc import Sequence

from graphql import GraphQLInterfaceType, GraphQLObjectType, specified_scalar_types

from ..errors import CompositionError, subgraph_list
from ..expand import Subgraph
from ..metadata import Metadata
from .context import MergeContext, Sources, kind_of, present
from .directives import composed_features, executable_directives, spec_links
from .enums import merge_enum
from .inputs import merge_input, report_empty_input
from .model import MergedDirective, MergedType, Supergraph, applied
from .objects import add_interface_object_fields, join_types, merge_composite
from .specs import LINK, join_spec
from .unions import merge_union

__all__ = ["merge_subgraphs"]

_KIND_NAMES = {
    "object": "Object Type",
    "interface": "Interface Type",
    "union": "Union Type",
    "enum": "Enum Type",
    "input": "InputObject Type",
    "scalar": "Scalar Type",
}
_ROOTS = (
    ("query", "query_type"),
    ("mutation", "mutation_type"),
    ("subscription", "subscription_type"),
)


def _is_merged_type(name: str) -> bool:
    return not (
        name.startswith("__")
        or name in specified_scalar_types
        or name.startswith(("federation__", "link__"))
    )


def _add_types_shallow(context: MergeContext) -> None:
    kinds: dict[str, dict[int, str]] = {}
    for index, subgraph in enumerate(context.subgraphs):
        for named in subgraph.schema.type_map.values():
            if _is_merged_type(named.name):
                kinds.setdefault(named.name, {})[index] = kind_of(named, context.metas[index])
    for name, per_subgraph in kinds.items():
        distinct = list(dict.fromkeys(per_subgraph.values()))
        if len(distinct) > 1:
            described = context.describe((i, _KIND_NAMES[k]) for i, k in per_subgraph.items())
            context.report(
                "TYPE_KIND_MISMATCH",
                f'Type "{name}" has mismatched kind: it is defined as {described}',
                per_subgraph,
                [name],
            )
            if distinct[0] == "input":
                # Apollo merges the input type anyway: the other kinds bring no input field,
                # so no field is common to all the subgraphs defining it.
                report_empty_input(context, name, per_subgraph)
        context.types[name] = MergedType(distinct[0], name)
        if distinct == ["interface"] and all(
            isinstance(context.subgraphs[i].schema.get_type(name), GraphQLObjectType)
            for i in per_subgraph
        ):
            context.report(
                "INTERFACE_OBJECT_USAGE_ERROR",
                f'Type "{name}" is declared with @interfaceObject in all the subgraphs in which'
                f" it is defined (it is defined in"
                f" {subgraph_list(context.name(i) for i in per_subgraph)} but should be defined"
                " as an interface in at least one subgraph)",
                per_subgraph,
                [name],
            )


def _merge_implements(context: MergeContext) -> None:
    for merged in context.types.values():
        if merged.kind not in ("object", "interface"):
            continue
        for index, source in present(context.type_sources(merged.name, merged.kind)):
            if not isinstance(source, GraphQLObjectType | GraphQLInterfaceType):
                continue
            for interface in source.interfaces:
                merged.directives.append(
                    applied(
                        "join__implements", graph=context.graph(index), interface=interface.name
                    )
                )
                if interface.name not in merged.interfaces:
                    merged.interfaces.append(interface.name)


def _check_extension_with_no_base(context: MergeContext, sources: Sources, name: str) -> None:
    if name in ("Query", "Mutation", "Subscription"):
        return
    extended = [i for i, _ in present(sources) if name in context.subgraphs[i].extension_types]
    if extended and len(extended) == len(present(sources)):
        for index in extended:
            context.report(
                "EXTENSION_WITH_NO_BASE",
                f'[{context.name(index)}] Type "{name}" is an extension type, but there is no'
                f' type definition for "{name}" in any subgraph.',
                [index],
                [name],
            )


def _merge_type(context: MergeContext, merged: MergedType) -> None:
    sources = context.type_sources(merged.name, merged.kind)
    _check_extension_with_no_base(context, sources, merged.name)
    merged.description = context.description(sources)
    merged.directives.extend(join_types(context, sources))
    context.record_directives(
        sources, merged.directives, merged.name if merged.kind == "interface" else None
    )
    if merged.kind in ("object", "interface"):
        merge_composite(context, sources, merged)
        if not merged.fields:
            del context.types[merged.name]
    elif merged.kind == "union":
        merge_union(context, sources, merged)
    elif merged.kind == "enum":
        merge_enum(context, sources, merged)
    elif merged.kind == "input":
        merge_input(context, sources, merged)


def _roots(context: MergeContext) -> dict[str, str]:
    roots: dict[str, str] = {}
    for subgraph in context.subgraphs:
        for operation, attribute in _ROOTS:
            root = getattr(subgraph.schema, attribute)
            if root is not None and root.name in context.types:
                roots.setdefault(operation, root.name)
    return roots


def _federation_version(context: MergeContext) -> tuple[int, int]:
    versions = [s.federation_version for s in context.subgraphs if s.federation_version]
    return max(versions, default=(2, 0))


def _in_order(context: MergeContext, kinds: tuple[str, ...]) -> list[MergedType]:
    return [t for t in list(context.types.values()) if t.kind in kinds]


def merge_subgraphs(
    subgraphs: Sequence[Subgraph], metas: Sequence[Metadata]
) -> tuple[Supergraph | None, list[CompositionError]]:
    """Merge subgraphs given in name order, with their metadata."""
    context = MergeContext(list(subgraphs), list(metas))
    composed = composed_features(context)
    _add_types_shallow(context)
    if context.errors:
        return None, context.errors
    _merge_implements(context)
    for kinds in (("union",), ("scalar", "input", "interface", "object")):
        for merged in _in_order(context, kinds):
            _merge_type(context, merged)
    for merged in _in_order(context, ("enum",)):
        _merge_type(context, merged)
    roots = _roots(context)
    if "query" not in roots:
        context.report(
            "NO_QUERIES",
            "No queries found in any subgraph: a supergraph must have a query root type.",
        )
    context.merge_deferred()
    add_interface_object_fields(context)
    if context.errors:
        return None, context.errors
    join = join_spec(_federation_version(context))
    links, spec_directives, spec_types = spec_links(context, composed)
    schema_links = [
        applied("link", url=LINK.url),
        applied("link", url=join.url, **{"for": (join.purpose or "EXECUTION",)}),
        *links,
    ]
    directives = [
        *(d for spec in (LINK, join) for d in _as_merged(spec.directives)),
        *spec_directives,
        *executable_directives(context, {d.name for d in spec_directives}),
    ]
    return Supergraph(
        graphs=[(g, s.name, s.url) for g, s in zip(context.graphs, context.subgraphs, strict=True)],
        links=schema_links,
        directives=directives,
        spec_types={**dict(LINK.types), **dict(join.types), **spec_types},
        types=context.types,
        roots=roots,
    ), []


def _as_merged(definitions: tuple[tuple[str, str], ...]) -> list[MergedDirective]:
    return [MergedDirective(name, sdl) for name, sdl in definitions]
