"""Merging one field of an object or interface: arguments, type, externals, ``@join__field``.

Arguments are intersected (an argument missing somewhere must be optional everywhere),
``@external`` sources only have to agree on the type, and ``@join__field`` is written only
where the planner needs it (Apollo's ``needsJoinField``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    ConstListValueNode,
    ConstObjectFieldNode,
    ConstObjectValueNode,
    GraphQLNonNull,
    NameNode,
    StringValueNode,
    print_ast,
)

from ..metadata import element_directives
from .context import MergeContext, Sources, applied_argument, present
from .model import Applied, MergedArgument, MergedField, applied, print_value
from .types import is_subtype, merge_type_reference, same_type

__all__ = ["FieldContext", "merge_arguments", "merge_default", "merge_field"]


@dataclass(slots=True)
class FieldContext:
    """What ``@override`` decided for one field, per subgraph index."""

    used_overridden: set[int] = field(default_factory=set)
    unused_overridden: set[int] = field(default_factory=set)
    labels: dict[int, str] = field(default_factory=dict)
    unknown_target: set[int] = field(default_factory=set)

    def overridden(self, index: int) -> bool:
        return index in self.used_overridden or index in self.unused_overridden


def _default_of(source: Any) -> Any:
    node = getattr(source, "ast_node", None)
    return getattr(node, "default_value", None)


def merge_default(context: MergeContext, sources: Sources, coordinate: str, kind: str) -> Any:
    merged: Any = None
    seen = False
    inconsistent = incompatible = False
    for _, source in present(sources):
        default = _default_of(source)
        if merged is None:
            inconsistent = inconsistent or (seen and default is not None)
            merged = default
        elif default is None or print_value(default) != print_value(merged):
            inconsistent = True
            incompatible = incompatible or default is not None
        seen = True
    if incompatible:
        code = (
            "FIELD_ARGUMENT_DEFAULT_MISMATCH"
            if kind == "Argument"
            else "INPUT_FIELD_DEFAULT_MISMATCH"
        )
        described = context.describe(
            (
                i,
                "default value " + print_value(d)
                if (d := _default_of(s)) is not None
                else "no default value",
            )
            for i, s in present(sources)
        )
        context.report(
            code,
            f'{kind} "{coordinate}" has incompatible default values across subgraphs:'
            f" it has {described}",
            [i for i, _ in present(sources)],
            [coordinate],
        )
    return merged if not inconsistent or incompatible else None


def _required(argument: Any) -> bool:
    return isinstance(argument.type, GraphQLNonNull) and _default_of(argument) is None


_CONTEXT = re.compile(r"^[\s,]*\$[\s,]*([A-Za-z_]\w*)([\s\S]*)$")


def _context_arguments(context: MergeContext, index: int, source: Any) -> Any:
    """``@join__field(contextArguments:)`` for the ``@fromContext`` arguments of a field."""
    entries = []
    for name, argument in getattr(source, "args", {}).items():
        field = applied_argument(argument, "fromContext", "field")
        match = _CONTEXT.match(field) if field is not None else None
        if match is None:
            continue
        values = {
            "context": f"{context.name(index)}__{match[1]}",
            "name": name,
            "type": str(argument.type),
            "selection": match[2],
        }
        entries.append(
            ConstObjectValueNode(
                fields=tuple(
                    ConstObjectFieldNode(name=NameNode(value=k), value=StringValueNode(value=v))
                    for k, v in values.items()
                )
            )
        )
    return ConstListValueNode(values=tuple(entries)) if entries else None


def merge_arguments(
    context: MergeContext, sources: Sources, coordinate: str
) -> dict[str, MergedArgument]:
    names = list(dict.fromkeys(a for _, s in present(sources) for a in s.args))
    merged: dict[str, MergedArgument] = {}
    for name in names:
        arg_coordinate = f"{coordinate}({name}:)"
        if any(
            name in s.args and applied_argument(s.args[name], "fromContext", "field")
            for _, s in present(sources)
        ):
            continue  # contextual: the router fills it, clients never see it
        missing = [i for i, s in present(sources) if name not in s.args]
        if missing:
            required = [
                i for i, s in present(sources) if name in s.args and _required(s.args[name])
            ]
            if required:
                context.report(
                    "REQUIRED_ARGUMENT_MISSING_IN_SOME_SUBGRAPH",
                    f'Argument "{arg_coordinate}" is required in some subgraphs but does not'
                    f" appear in all subgraphs: {context.required_but_missing(required, missing)}",
                    required + missing,
                    [arg_coordinate],
                )
            continue
        arg_sources: Sources = {i: s.args[name] for i, s in present(sources)}
        description = context.description(arg_sources)
        directives: list[Applied] = []
        context.record_directives(arg_sources, directives)
        merged_type = merge_type_reference(
            context, arg_sources, arg_coordinate, input_position=True, element="argument"
        ).type
        default = merge_default(context, arg_sources, arg_coordinate, "Argument")
        merged[name] = MergedArgument(name, merged_type, default, description, directives)
    return merged


def _needs_join_field(
    context: MergeContext,
    sources: Sources,
    parent: str,
    coordinate: str,
    all_equal: bool,
    overrides: FieldContext,
) -> bool:
    if not all_equal or overrides.used_overridden or overrides.labels:
        return True
    if any(_context_arguments(context, i, s) is not None for i, s in present(sources)):
        return True
    for index, source in sources.items():
        if source is not None and index not in overrides.unused_overridden:
            if (
                context.metas[index].is_external(coordinate)
                or applied_argument(source, "provides", "fields") is not None
                or applied_argument(source, "requires", "fields") is not None
            ):
                return True
        elif context.subgraphs[index].schema.get_type(parent) is not None:
            return True
    return False


def _join_fields(
    context: MergeContext,
    sources: Sources,
    coordinate: str,
    all_equal: bool,
    overrides: FieldContext,
) -> list[Applied]:
    out: list[Applied] = []
    for index, source in present(sources):
        label = overrides.labels.get(index)
        if index in overrides.unused_overridden and label is None:
            continue
        out.append(
            applied(
                "join__field",
                graph=context.graph(index),
                requires=applied_argument(source, "requires", "fields"),
                provides=applied_argument(source, "provides", "fields"),
                type=None if all_equal else str(source.type),
                external=True if context.metas[index].is_external(coordinate) else None,
                override=applied_argument(source, "override", "from"),
                usedOverridden=True if index in overrides.used_overridden else None,
                overrideLabel=label,
                contextArguments=_context_arguments(context, index, source),
            )
        )
    return out


def _check_externals(
    context: MergeContext, sources: Sources, dest: MergedField, coordinate: str, all_equal: bool
) -> None:
    for index, source in present(sources):
        if not context.metas[index].is_external(coordinate):
            continue
        assert dest.type is not None
        if not (
            same_type(dest.type, source.type)
            or (not all_equal and is_subtype(context, source.type, dest.type))
        ):
            described = context.describe(
                sorted(
                    ((i, f'type "{s.type}"') for i, s in present(sources)),
                    key=lambda pair: pair[1] != f'type "{dest.type}"',
                )
            )
            context.report(
                "EXTERNAL_TYPE_MISMATCH",
                f'Type of field "{coordinate}" is incompatible across subgraphs (where marked'
                f" @external): it has {described}",
                [index],
                [coordinate],
            )
        for name in dest.arguments:
            if name not in source.args:
                context.report(
                    "EXTERNAL_ARGUMENT_MISSING",
                    f'Field "{coordinate}" is missing argument "{coordinate}({name}:)" in some'
                    " subgraphs where it is marked @external",
                    [index],
                    [coordinate],
                )


def merge_field(
    context: MergeContext,
    sources: Sources,
    parent: str,
    dest: MergedField,
    overrides: FieldContext,
    via_interface_object: bool = False,
) -> bool:
    """Merge ``dest`` from its sources; False when every source is ``@external`` (and no
    ``@interfaceObject`` resolves it through an interface: ``via_interface_object``)."""
    coordinate = f"{parent}.{dest.name}"
    defined = present(sources)
    if not via_interface_object and all(
        context.metas[i].is_external(coordinate) for i, _ in defined
    ):
        names = ", ".join(f'"{context.name(i)}"' for i, _ in defined)
        context.report(
            "EXTERNAL_MISSING_ON_BASE",
            f'Field "{coordinate}" is marked @external on all the subgraphs in which it is'
            f" listed (subgraph{'s' if len(defined) > 1 else ''} {names}).",
            [i for i, _ in defined],
            [coordinate],
        )
        return False
    resolving: Sources = {
        i: (None if s is None or context.metas[i].is_external(coordinate) else s)
        for i, s in sources.items()
    }
    if not present(resolving):  # only an @interfaceObject resolves it: the externals type it
        resolving = sources
    _no_merged_directive_on_external(context, sources, coordinate)
    dest.description = context.description(resolving)
    context.record_directives(resolving, dest.directives, coordinate)
    dest.arguments = merge_arguments(context, resolving, coordinate)
    result = merge_type_reference(context, resolving, coordinate, input_position=False)
    dest.type = result.type
    _check_externals(context, sources, dest, coordinate, result.all_equal)
    if _needs_join_field(context, sources, parent, coordinate, result.all_equal, overrides):
        dest.directives.extend(
            _join_fields(context, sources, coordinate, result.all_equal, overrides)
        )
    return True


def _no_merged_directive_on_external(
    context: MergeContext, sources: Sources, coordinate: str
) -> None:
    for index, source in present(sources):
        if not context.metas[index].is_external(coordinate):
            continue
        for directive in element_directives(source):
            if directive.name.value in context.merged_directives:
                context.report(
                    "MERGED_DIRECTIVE_APPLICATION_ON_EXTERNAL",
                    f"[{context.name(index)}] Cannot apply merged directive"
                    f' {print_ast(directive)} to external field "{coordinate}"',
                    [index],
                    [coordinate],
                )
