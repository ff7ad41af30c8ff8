"""Merging object and interface types: ``@join__type``, fields, ``@override``, sharing.

A field resolved by more than one subgraph must be ``@shareable`` in all of them
(``INVALID_FIELD_SHARING``); ``@override`` takes a field away from its ``from`` subgraph.
"""

from __future__ import annotations

import re
from typing import Any

from graphql import GraphQLInterfaceType, GraphQLObjectType

from ..errors import subgraph_list
from ..expand import FEDERATION_ROOT_FIELDS
from ..metadata import element_directives
from .context import MergeContext, Sources, applied_argument, present
from .fields import FieldContext, merge_field
from .model import Applied, MergedField, MergedType, applied

__all__ = ["add_interface_object_fields", "join_types", "merge_composite"]

_LABEL = re.compile(r"^[a-zA-Z][a-zA-Z0-9_\-:./]*$")
_PERCENT = re.compile(r"^percent\((\d{1,2}(\.\d{1,8})?|100)\)$")


def join_types(context: MergeContext, sources: Sources) -> list[Applied]:
    out: list[Applied] = []
    for index, source in present(sources):
        subgraph = context.subgraphs[index]
        interface_object = True if source.name in context.metas[index].interface_objects else None
        keys = subgraph.keys.get(source.name, ())
        if not keys:
            out.append(
                applied(
                    "join__type", graph=context.graph(index), isInterfaceObject=interface_object
                )
            )
        for key in keys:
            # Apollo's upgrade of a Federation 1 subgraph turns its extensions into types.
            extension = key.on_extension and subgraph.is_fed2
            out.append(
                applied(
                    "join__type",
                    graph=context.graph(index),
                    key=key.fields,
                    extension=True if extension else None,
                    resolvable=key.resolvable,
                    isInterfaceObject=interface_object,
                )
            )
    return out


def _override_of(field: Any) -> tuple[str, str | None] | None:
    source = applied_argument(field, "override", "from")
    return None if source is None else (str(source), applied_argument(field, "override", "label"))


def _valid_label(label: str) -> bool:
    if _LABEL.match(label):
        return True
    match = _PERCENT.match(label)
    return match is not None and 0 <= float(match[1]) <= 100


def _has(field: Any, name: str) -> bool:
    return any(d.name.value == name for d in element_directives(field))


def _validate_override(
    context: MergeContext, sources: Sources, kind: str, coordinate: str
) -> FieldContext:
    result = FieldContext()
    names = {context.name(i): i for i, _ in present(sources)}
    overriding = {i: o for i, s in present(sources) if (o := _override_of(s)) is not None}
    for index, (source_name, label) in overriding.items():
        where = f'field "{coordinate}" on subgraph "{context.name(index)}"'
        if kind == "interface":
            parent = coordinate.split(".")[0]
            if parent in context.metas[index].interface_objects:
                context.report(
                    "OVERRIDE_COLLISION_WITH_ANOTHER_DIRECTIVE",
                    "@override is not yet supported on fields of @interfaceObject"
                    f" types: cannot be used on {where}.",
                    [index],
                    [coordinate],
                )
            else:
                context.report(
                    "OVERRIDE_ON_INTERFACE",
                    f"@override cannot be used on {where}:"
                    " @override is not supported on interface type fields.",
                    [index],
                    [coordinate],
                )
            continue
        if source_name == context.name(index):
            context.report(
                "OVERRIDE_FROM_SELF_ERROR",
                f'Source and destination subgraphs "{source_name}" are the same for overridden'
                f' field "{coordinate}"',
                [index],
                [coordinate],
            )
            continue
        all_names = [s.name for s in context.subgraphs]
        if source_name not in all_names:
            result.unknown_target.add(index)
            continue
        from_index = names.get(source_name)
        if from_index is None:
            continue
        if from_index in overriding:
            context.report(
                "OVERRIDE_SOURCE_HAS_OVERRIDE",
                f'Field "{coordinate}" on subgraph "{context.name(index)}" is also marked with'
                f' directive @override in subgraph "{source_name}". Only one @override'
                " directive is allowed per field.",
                [index, from_index],
                [coordinate],
            )
            continue
        _apply_override(context, sources, result, index, from_index, label, coordinate)
    return result


def _apply_override(
    context: MergeContext,
    sources: Sources,
    result: FieldContext,
    index: int,
    from_index: int,
    label: str | None,
    coordinate: str,
) -> None:
    from_field = sources[from_index]
    conflict = next((d for d in ("requires", "provides") if _has(from_field, d)), None)
    if conflict is None and context.metas[index].is_external(coordinate):
        conflict = "external"
    if conflict is not None:
        context.report(
            "OVERRIDE_COLLISION_WITH_ANOTHER_DIRECTIVE",
            f'@override cannot be used on field "{coordinate}" on subgraph'
            f' "{context.name(index)}" since "{coordinate}" on "{context.name(from_index)}"'
            f' is marked with directive "@{conflict}"',
            [index, from_index],
            [coordinate],
        )
        return
    if not context.metas[from_index].is_external(coordinate):
        if coordinate in context.metas[from_index].used:
            result.used_overridden.add(from_index)
        else:
            result.unused_overridden.add(from_index)
    if label is None:
        return
    if not _valid_label(label):
        context.report(
            "OVERRIDE_LABEL_INVALID",
            f'Invalid @override label "{label}" on field "{coordinate}" on subgraph'
            f' "{context.name(index)}": labels must start with a letter and after that may'
            " contain alphanumerics, underscores, minuses, colons, periods, or slashes."
            ' Alternatively, labels may be of the form "percent(x)" where x is a float between'
            " 0-100 inclusive.",
            [index],
            [coordinate],
        )
        return
    result.labels[index] = label
    result.labels[from_index] = label


def _abstracted_by_interface_object(
    context: MergeContext, index: int, dest: MergedType, field_name: str
) -> str | None:
    """The coordinate of the ``@interfaceObject`` field standing for ``dest.field_name`` in a
    subgraph lacking ``dest`` but having one of its interfaces as an interface object."""
    schema = context.subgraphs[index].schema
    if dest.kind != "object" or schema.get_type(dest.name) is not None:
        return None
    for interface in dest.interfaces:
        named = schema.get_type(interface)
        if isinstance(named, GraphQLObjectType) and field_name in named.fields:
            return f"{interface}.{field_name}"
    return None


def _validate_sharing(
    context: MergeContext,
    sources: Sources,
    dest: MergedType,
    field_name: str,
    overrides: FieldContext,
) -> None:
    coordinate = f"{dest.name}.{field_name}"
    shareable: list[int] = []
    unshareable: list[int] = []
    for index, source in sources.items():
        meta = context.metas[index]
        own: str | None = coordinate
        if source is None:
            own = _abstracted_by_interface_object(context, index, dest, field_name)
            if own is None:
                continue
        elif overrides.overridden(index):
            continue
        if own is None or meta.is_fully_external(own):
            continue
        (shareable if own in meta.shareable else unshareable).append(index)
    if unshareable and (shareable or len(unshareable) > 1):
        resolving = sorted(shareable + unshareable)
        listed = subgraph_list(context.name(i) for i in resolving)
        culprits = (
            "all of them" if not shareable else subgraph_list(context.name(i) for i in unshareable)
        )
        context.report(
            "INVALID_FIELD_SHARING",
            f'Non-shareable field "{coordinate}" is resolved from multiple subgraphs: it is'
            f" resolved from {listed} and defined as non-shareable in {culprits}",
            resolving,
            [coordinate],
        )


def _field_sources(context: MergeContext, sources: Sources, dest: MergedType) -> dict[str, Sources]:
    """Per field name, its sources: every subgraph defining the type maps to its field or None."""
    base: Sources = {i: None for i in sources}
    for index, meta in enumerate(context.metas):
        if any(interface in meta.interface_objects for interface in dest.interfaces):
            base.setdefault(index, None)
    per_field: dict[str, Sources] = {}
    for index, source in present(sources):
        for name, field in source.fields.items():
            if name in FEDERATION_ROOT_FIELDS:
                continue
            per_field.setdefault(name, dict(base))[index] = field
    return per_field


def merge_composite(context: MergeContext, sources: Sources, dest: MergedType) -> None:
    """Merge the fields of an object or interface type (join__type is added by the caller)."""
    if dest.kind == "interface":
        _validate_interface_keys(context, sources, dest)
        _validate_interface_objects(context, sources, dest)
    for name, field_sources in _field_sources(context, sources, dest).items():
        coordinate = f"{dest.name}.{name}"
        overrides = _validate_override(context, field_sources, dest.kind, coordinate)
        merged = MergedField(name)
        via_interface_object = any(
            own is not None and not context.metas[i].is_fully_external(own)
            for i, source in field_sources.items()
            if source is None
            for own in (_abstracted_by_interface_object(context, i, dest, name),)
        )
        if merge_field(context, field_sources, dest.name, merged, overrides, via_interface_object):
            dest.fields[name] = merged
        if dest.kind == "object":
            _validate_sharing(context, field_sources, dest, name, overrides)


def _validate_interface_keys(context: MergeContext, sources: Sources, dest: MergedType) -> None:
    implementations = [t.name for t in context.types.values() if dest.name in t.interfaces]
    for index, source in present(sources):
        if not isinstance(source, GraphQLInterfaceType):
            continue
        keys = context.subgraphs[index].keys.get(dest.name, ())
        resolvable = next((k for k in keys if k.resolvable is not False), None)
        if resolvable is None:
            continue
        schema = context.subgraphs[index].schema
        local = {t.name for t in schema.get_possible_types(source)}
        missing = [name for name in implementations if name not in local]
        if missing:
            name = context.name(index)
            context.report(
                "INTERFACE_KEY_MISSING_IMPLEMENTATION_TYPE",
                f'[{name}] Interface type "{dest.name}" has a resolvable key (@key(fields:'
                f' "{resolvable.fields}")) in subgraph "{name}" but that subgraph is missing some'
                f' of the supergraph implementation types of "{dest.name}". Subgraph "{name}"'
                f" should define {_type_list(missing)} (and have"
                f' {"them" if len(missing) > 1 else "it"} implement "{dest.name}").',
                [index],
                [dest.name],
            )


def _type_list(names: list[str]) -> str:
    """``type "T"`` / ``types "T" and "U"``."""
    return "type" + subgraph_list(names).removeprefix("subgraph")


def _validate_interface_objects(context: MergeContext, sources: Sources, dest: MergedType) -> None:
    implementations = [t.name for t in context.types.values() if dest.name in t.interfaces]
    for index, _source in present(sources):
        if dest.name not in context.metas[index].interface_objects:
            continue
        schema = context.subgraphs[index].schema
        defined = [name for name in implementations if schema.get_type(name) is not None]
        if defined:
            context.report(
                "INTERFACE_OBJECT_USAGE_ERROR",
                f'[{context.name(index)}] Interface type "{dest.name}" is defined as an'
                f' @interfaceObject in subgraph "{context.name(index)}" so that subgraph should'
                f' not define any of the implementation types of "{dest.name}", but it defines'
                f" {_type_list(defined)}",
                [index],
                [dest.name],
            )


def add_interface_object_fields(context: MergeContext) -> None:
    """Objects get the fields an ``@interfaceObject`` adds to their interfaces (Apollo's
    ``addMissingInterfaceObjectFieldsToImplementations``), resolved through the interface."""
    for merged in context.types.values():
        if merged.kind != "object":
            continue
        for interface in merged.interfaces:
            merged_interface = context.types.get(interface)
            if merged_interface is None:
                continue
            for name, interface_field in merged_interface.fields.items():
                if name in merged.fields or not _provided_by_interface_object(
                    context, interface, name
                ):
                    continue
                merged.fields[name] = MergedField(
                    name=name,
                    type=interface_field.type,
                    arguments=dict(interface_field.arguments),
                    description=interface_field.description,
                    directives=[
                        d for d in interface_field.directives if not d.name.startswith("join__")
                    ]
                    + [Applied("join__field")],
                )


def _provided_by_interface_object(context: MergeContext, interface: str, field: str) -> bool:
    for index, subgraph in enumerate(context.subgraphs):
        named = subgraph.schema.get_type(interface)
        meta = context.metas[index]
        if (
            isinstance(named, GraphQLObjectType)
            and interface in meta.interface_objects
            and field in named.fields
            and not meta.is_external(f"{interface}.{field}")
        ):
            return True
    return False
