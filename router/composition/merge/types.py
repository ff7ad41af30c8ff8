"""Type references across subgraphs: sameness, Federation's subtyping, and the merged type.

Default subtyping rules (Apollo's, minus ``list_upgrade``): an implementation or union member
is a subtype of its interface/union, ``T!`` of ``T``, and both propagate through lists and
non-null wrappers. Output positions keep the most general type, input positions the most
specific one.
"""

from __future__ import annotations

from graphql import GraphQLList, GraphQLNonNull, GraphQLType, get_named_type

from .context import MergeContext, Sources, present

__all__ = ["TypeMerge", "is_subtype", "merge_type_reference", "same_type"]


def same_type(a: GraphQLType, b: GraphQLType) -> bool:
    return str(a) == str(b)


def _named_subtype(context: MergeContext, supertype: str, subtype: str) -> bool:
    merged_sub = context.types.get(subtype)
    merged_super = context.types.get(supertype)
    if merged_sub is not None and supertype in merged_sub.interfaces:
        return True
    return merged_super is not None and subtype in merged_super.members


def is_subtype(context: MergeContext, supertype: GraphQLType, subtype: GraphQLType) -> bool:
    """``subtype`` equals ``supertype`` or is a subtype of it."""
    if same_type(supertype, subtype):
        return True
    if isinstance(subtype, GraphQLNonNull):
        inner_super = supertype.of_type if isinstance(supertype, GraphQLNonNull) else supertype
        return is_subtype(context, inner_super, subtype.of_type)
    if isinstance(supertype, GraphQLNonNull):
        return False
    if isinstance(subtype, GraphQLList) and isinstance(supertype, GraphQLList):
        return is_subtype(context, supertype.of_type, subtype.of_type)
    if isinstance(subtype, GraphQLList) or isinstance(supertype, GraphQLList):
        return False
    named_super, named_sub = get_named_type(supertype), get_named_type(subtype)
    return (
        named_super is not None
        and named_sub is not None
        and _named_subtype(context, named_super.name, named_sub.name)
    )


def _strict(context: MergeContext, supertype: GraphQLType, subtype: GraphQLType) -> bool:
    return not same_type(supertype, subtype) and is_subtype(context, supertype, subtype)


class TypeMerge:
    """The merged type of an element and whether every subgraph agreed exactly."""

    __slots__ = ("all_equal", "incompatible", "type")

    def __init__(self, merged: GraphQLType, all_equal: bool, incompatible: bool) -> None:
        self.type = merged
        self.all_equal = all_equal
        self.incompatible = incompatible


def _report_incompatible(
    context: MergeContext, sources: Sources, coordinate: str, element: str
) -> None:
    code = "FIELD_ARGUMENT_TYPE_MISMATCH" if element == "argument" else "FIELD_TYPE_MISMATCH"
    described = context.describe((i, f'type "{s.type}"') for i, s in present(sources))
    context.report(
        code,
        f'Type of {element} "{coordinate}" is incompatible across subgraphs: it has {described}',
        [i for i, _ in present(sources)],
        [coordinate],
    )


def merge_type_reference(
    context: MergeContext,
    sources: Sources,
    coordinate: str,
    *,
    input_position: bool,
    element: str = "field",
) -> TypeMerge:
    """The merged type of ``coordinate``; reports a mismatch (``FIELD_TYPE_MISMATCH`` or
    ``FIELD_ARGUMENT_TYPE_MISMATCH``) when no subgraph's type covers the others."""
    merged: GraphQLType | None = None
    has_subtypes = False
    incompatible = False
    for _, source in present(sources):
        source_type = source.type
        if merged is None or same_type(merged, source_type):
            merged = source_type
        elif _strict(context, merged, source_type):
            has_subtypes = True
            merged = source_type if input_position else merged
        elif _strict(context, source_type, merged):
            has_subtypes = True
            merged = merged if input_position else source_type
        else:
            incompatible = True
    assert merged is not None, "a merged element has at least one source"
    named = get_named_type(merged)
    merged_named = context.types.get(named.name) if named is not None else None
    if merged_named is not None and merged_named.kind == "enum":
        usage = context.enum_usages.setdefault(merged_named.name, {})
        usage.setdefault("Input" if input_position else "Output", coordinate)
    if incompatible:
        _report_incompatible(context, sources, coordinate, element)
    return TypeMerge(merged, not (has_subtypes or incompatible), incompatible)
