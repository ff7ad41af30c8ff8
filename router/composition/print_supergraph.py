"""Print the merged supergraph in the join-spec format, byte for byte as Apollo prints it.

Apollo's printer (``federation-internals/print.ts``): schema definition, then directive
definitions sorted by name, then every type sorted by name (``localeCompare``), fields in
merged order, type-level directives one per line.
"""

from __future__ import annotations

from collections.abc import Iterable

from .merge.model import (
    Applied,
    MergedArgument,
    MergedField,
    MergedType,
    Supergraph,
    applied,
    print_value,
)

__all__ = ["locale_key", "print_block_string", "print_description", "print_supergraph"]

_INDENT = "  "


def locale_key(name: str) -> tuple[tuple[tuple[int, str], ...], tuple[int, ...]]:
    """Sort key close to ICU ``localeCompare`` for GraphQL names: ``_`` before digits before
    letters, letters compared without case first, lower case first on ties."""

    def rank(char: str) -> int:
        return 0 if char == "_" else 1 if char.isdigit() else 2

    primary = tuple((rank(c), c.lower()) for c in name)
    return primary, tuple(0 if c.islower() else 1 for c in name)


def print_block_string(
    value: str, indentation: str = "", prefer_multiple_lines: bool = False
) -> str:
    single_line = "\n" not in value
    leading_space = value[:1] in (" ", "\t")
    multiple = (
        not single_line or value.endswith('"') or value.endswith("\\") or prefer_multiple_lines
    )
    result = ""
    if multiple and not (single_line and leading_space):
        result += "\n" + indentation
    result += value.replace("\n", "\n" + indentation) if indentation else value
    if multiple:
        result += "\n"
    return '"""' + result.replace('"""', '\\"""') + '"""'


def print_description(text: str | None, indentation: str = "", first_in_block: bool = True) -> str:
    if text is None:
        return ""
    block = print_block_string(text, "", len(text) > 70)
    prefix = "\n" + indentation if indentation and not first_in_block else indentation
    return prefix + block.replace("\n", "\n" + indentation) + "\n"


def _inline(directives: Iterable[Applied]) -> str:
    return "".join(" " + str(d) for d in directives)


def _on_new_lines(directives: list[Applied], end_with_newline: bool) -> str:
    if not directives:
        return ""
    body = ("\n" + _INDENT).join(str(d) for d in directives)
    return "\n" + _INDENT + body + ("\n" if end_with_newline else "")


def _argument(argument: MergedArgument) -> str:
    default = f" = {print_value(argument.default)}" if argument.default is not None else ""
    return f"{argument.name}: {argument.type}{default}{_inline(argument.directives)}"


def _arguments(arguments: list[MergedArgument], indentation: str) -> str:
    if not arguments:
        return ""
    if all(not a.description for a in arguments):
        return "(" + ", ".join(_argument(a) for a in arguments) + ")"
    inner = _INDENT + indentation
    lines = "\n".join(
        print_description(a.description, inner, i == 0) + inner + _argument(a)
        for i, a in enumerate(arguments)
    )
    return f"(\n{lines}\n{indentation})"


def _field(field: MergedField, first: bool, with_arguments: bool) -> str:
    arguments = _arguments(list(field.arguments.values()), _INDENT) if with_arguments else ""
    default = f" = {print_value(field.default)}" if field.default is not None else ""
    return (
        print_description(field.description, _INDENT, first)
        + _INDENT
        + field.name
        + arguments
        + f": {field.type}{default}{_inline(field.directives)}"
    )


def _block(items: list[str]) -> str:
    return "{\n" + "\n".join(items) + "\n}" if items else ""


def _fields_type(keyword: str, merged: MergedType) -> str:
    implements = " implements " + " & ".join(merged.interfaces) if merged.interfaces else ""
    fields = [
        _field(f, i == 0, merged.kind != "input") for i, f in enumerate(merged.fields.values())
    ]
    spacer = " " if not merged.directives and fields else ""
    return (
        f"{print_description(merged.description)}{keyword} {merged.name}{implements}"
        f"{_on_new_lines(merged.directives, bool(fields))}{spacer}{_block(fields)}"
    )


def _enum(merged: MergedType) -> str:
    values = [
        print_description(v.description, _INDENT, i == 0) + _INDENT + v.name + _inline(v.directives)
        for i, v in enumerate(merged.values.values())
    ]
    spacer = " " if not merged.directives and values else ""
    return (
        f"{print_description(merged.description)}enum {merged.name}"
        f"{_on_new_lines(merged.directives, bool(values))}{spacer}{_block(values)}"
    )


def _union(merged: MergedType) -> str:
    members = " = " + " | ".join(merged.members) if merged.members else ""
    return (
        f"{print_description(merged.description)}union {merged.name}"
        f"{_on_new_lines(merged.directives, bool(merged.members))}{members}"
    )


def print_type(merged: MergedType) -> str:
    if merged.kind == "object":
        return _fields_type("type", merged)
    if merged.kind == "interface":
        return _fields_type("interface", merged)
    if merged.kind == "input":
        return _fields_type("input", merged)
    if merged.kind == "enum":
        return _enum(merged)
    if merged.kind == "union":
        return _union(merged)
    return (
        f"{print_description(merged.description)}scalar {merged.name}"
        f"{_on_new_lines(merged.directives, False)}"
    )


def _schema(supergraph: Supergraph) -> str:
    roots = "\n".join(f"{_INDENT}{op}: {name}" for op, name in supergraph.roots.items())
    return f"schema{_on_new_lines(supergraph.links, True)}{{\n{roots}\n}}"


def _graph_enum(supergraph: Supergraph) -> str:
    values = "\n".join(
        f"{_INDENT}{enum_value} {applied('join__graph', name=name, url=url)}"
        for enum_value, name, url in supergraph.graphs
    )
    return "enum join__Graph {\n" + values + "\n}"


def print_supergraph(supergraph: Supergraph) -> str:
    directives = sorted(supergraph.directives, key=lambda d: locale_key(d.name))
    printed_types = {name: print_type(t) for name, t in supergraph.types.items()}
    printed_types.update(supergraph.spec_types)
    printed_types["join__Graph"] = _graph_enum(supergraph)
    types = [printed_types[name] for name in sorted(printed_types, key=locale_key)]
    parts = [_schema(supergraph), *(d.sdl for d in directives), *types]
    return "\n\n".join(parts) + "\n"
