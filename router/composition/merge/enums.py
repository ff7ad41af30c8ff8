"""Merging enum types by how they are used.

Output-only enums get every value of every subgraph; input-only ones only the values all
subgraphs share; enums used both ways must agree exactly (``ENUM_VALUE_MISMATCH``).
"""

from __future__ import annotations

from ..errors import subgraph_list
from .context import MergeContext, Sources, present
from .model import MergedEnumValue, MergedType, applied

__all__ = ["merge_enum"]


def _is_inaccessible(value: MergedEnumValue) -> bool:
    return any(d.name == "inaccessible" for d in value.directives)


def merge_enum(context: MergeContext, sources: Sources, dest: MergedType) -> None:
    usage = context.enum_usages.get(dest.name) or {"Output": ""}
    position = "Both" if len(usage) > 1 else next(iter(usage))
    names = list(dict.fromkeys(v for _, s in present(sources) for v in s.values))
    for name in names:
        value_sources: Sources = {
            i: (s.values.get(name) if s is not None else None) for i, s in sources.items()
        }
        value = MergedEnumValue(name, description=context.description(value_sources))
        context.record_directives(value_sources, value.directives)
        value.directives.extend(
            applied("join__enumValue", graph=context.graph(i)) for i, _ in present(value_sources)
        )
        missing = [i for i, s in present(sources) if name not in s.values]
        if missing and not _is_inaccessible(value) and position != "Output":
            if position == "Both":
                defined = [context.name(i) for i, s in present(sources) if name in s.values]
                context.report(
                    "ENUM_VALUE_MISMATCH",
                    f'Enum type "{dest.name}" is used as both input type (for example, as type'
                    f' of "{usage["Input"]}") and output type (for example, as type of'
                    f' "{usage["Output"]}"), but value "{name}" is not defined in all the'
                    f' subgraphs defining "{dest.name}": "{name}" is defined in'
                    f" {subgraph_list(defined)} but not in"
                    f" {subgraph_list(context.name(i) for i in missing)}",
                    [i for i, _ in present(sources)],
                    [f"{dest.name}.{name}"],
                )
            else:
                continue
        dest.values[name] = value
    if not dest.values:
        context.report(
            "EMPTY_MERGED_ENUM_TYPE",
            f'None of the values of enum type "{dest.name}" are defined consistently in all the'
            " subgraphs defining that type. As only values common to all subgraphs are merged,"
            " this would result in an empty type.",
            [i for i, _ in present(sources)],
            [dest.name],
        )
