"""Merging input object types: the intersection of fields, required ones present everywhere."""

from __future__ import annotations

from collections.abc import Iterable

from graphql import GraphQLNonNull

from .context import MergeContext, Sources, present
from .fields import merge_default
from .model import MergedField, MergedType, applied
from .types import merge_type_reference

__all__ = ["merge_input", "report_empty_input"]


def _required(field: object) -> bool:
    node = getattr(field, "ast_node", None)
    return isinstance(getattr(field, "type", None), GraphQLNonNull) and (
        getattr(node, "default_value", None) is None
    )


def merge_input(context: MergeContext, sources: Sources, dest: MergedType) -> None:
    names = list(dict.fromkeys(f for _, s in present(sources) for f in s.fields))
    for name in names:
        coordinate = f"{dest.name}.{name}"
        field_sources: Sources = {i: s.fields.get(name) for i, s in present(sources)}
        merged = MergedField(name, description=context.description(field_sources))
        context.record_directives(field_sources, merged.directives)
        result = merge_type_reference(context, field_sources, coordinate, input_position=True)
        merged.type = result.type
        missing = [i for i, f in field_sources.items() if f is None]
        if not result.all_equal or missing:
            merged.directives.extend(
                applied(
                    "join__field",
                    graph=context.graph(i),
                    type=None if result.all_equal else str(f.type),
                )
                for i, f in present(field_sources)
            )
        merged.default = merge_default(context, field_sources, coordinate, "Input field")
        inaccessible = any(d.name == "inaccessible" for d in merged.directives)
        if missing and not inaccessible:
            required = [i for i, f in present(field_sources) if _required(f)]
            if required:
                context.report(
                    "REQUIRED_INPUT_FIELD_MISSING_IN_SOME_SUBGRAPH",
                    f'Input object field "{coordinate}" is required in some subgraphs but does'
                    " not appear in all subgraphs:"
                    f" {context.required_but_missing(required, missing)}",
                    required + missing,
                    [coordinate],
                )
            continue
        dest.fields[name] = merged
    if not dest.fields:
        report_empty_input(context, dest.name, [i for i, _ in present(sources)])


def report_empty_input(context: MergeContext, name: str, indices: Iterable[int]) -> None:
    context.report(
        "EMPTY_MERGED_INPUT_TYPE",
        f'None of the fields of input object type "{name}" are consistently defined in'
        " all the subgraphs defining that type. As only fields common to all subgraphs are"
        " merged, this would result in an empty type.",
        indices,
        [name],
    )
