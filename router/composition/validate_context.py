"""``@context``/``@fromContext`` in one subgraph (Federation 2.8): context names are
alphanumeric without underscores (``CONTEXT_NAME_INVALID``), and a contextual argument names a
context some type of the subgraph sets, sits on a field of an object type that implements no
interface field of that name, has no default value (``CONTEXT_NOT_SET``) and its object has a
resolvable key (``CONTEXT_NO_RESOLVABLE_KEY``).

Apollo's further checks of the selection against the context's types are not made here.
"""

from __future__ import annotations

import re

from graphql import GraphQLArgument, GraphQLField, GraphQLObjectType

from .errors import CompositionError, in_subgraph
from .expand import Subgraph
from .metadata import argument_value, composite_types, field_directives, type_directives

__all__ = ["parse_context", "validate_context"]

_CONTEXT_NAME = re.compile(r"^[A-Za-z]\w*$")
_IGNORED = r"(?:[\n\r\t ,]|#[^\n\r]*)*"
_CONTEXT_VALUE = re.compile(rf"^{_IGNORED}\${_IGNORED}([A-Za-z_]\w*)(?!\w)([\s\S]*)$")


def parse_context(value: str) -> tuple[str, str] | None:
    """``"$name { selection }"`` -> (name, selection), as Apollo's ``parseContext``."""
    match = _CONTEXT_VALUE.match(value)
    return None if match is None else (match[1], match[2])


def _context_names(subgraph: Subgraph) -> tuple[set[str], list[CompositionError]]:
    names: set[str] = set()
    errors: list[CompositionError] = []
    for named in subgraph.schema.type_map.values():
        if named.name.startswith("__"):
            continue
        for application in type_directives(named, "context"):
            name = str(argument_value(application, "name"))
            names.add(name)
            problem = None
            if "_" in name:
                problem = f'Context name "{name}" may not contain an underscore.'
            elif not _CONTEXT_NAME.match(name):
                problem = (
                    f'Context name "{name}" is invalid. It should have only alphanumeric'
                    " characters."
                )
            if problem is not None:
                errors.append(
                    in_subgraph("CONTEXT_NAME_INVALID", subgraph.name, problem, named.name)
                )
    return names, errors


def _contextual_problems(
    subgraph: Subgraph,
    owner: object,
    field_name: str,
    argument: GraphQLArgument,
    coordinate: str,
    contexts: set[str],
) -> list[tuple[str, str]]:
    if not isinstance(owner, GraphQLObjectType):
        return [
            (
                "CONTEXT_NOT_SET",
                "@fromContext argument cannot be used on a field that exists on an abstract"
                f' type "{coordinate}".',
            )
        ]
    problems = [
        (
            "CONTEXT_NOT_SET",
            "@fromContext argument cannot be used on a field implementing an interface field"
            f' "{interface.name}.{field_name}".',
        )
        for interface in owner.interfaces
        if field_name in interface.fields
    ]
    if argument.ast_node is not None and argument.ast_node.default_value is not None:
        problems.append(
            (
                "CONTEXT_NOT_SET",
                f'@fromContext arguments may not have a default value: "{coordinate}".',
            )
        )
    value = argument_value(next(iter(field_directives(argument, "fromContext"))), "field")
    parsed = parse_context(str(value)) if value is not None else None
    if parsed is None or not parsed[1]:
        problems.append(
            (
                "NO_CONTEXT_IN_SELECTION",
                f'@fromContext argument does not reference a context "{value}".',
            )
        )
        return problems
    if parsed[0] not in contexts:
        problems.append(
            (
                "CONTEXT_NOT_SET",
                f'Context "{parsed[0]}" is used at location "{coordinate}" but is never set.',
            )
        )
    keys = subgraph.keys.get(owner.name, ())
    if not any(key.resolvable is not False for key in keys):
        problems.append(
            (
                "CONTEXT_NO_RESOLVABLE_KEY",
                f'Object "{owner.name}" has no resolvable key but has a field with a contextual'
                " argument.",
            )
        )
    return problems


def validate_context(subgraph: Subgraph) -> list[CompositionError]:
    if "context" not in subgraph.local_names:
        return []
    contexts, errors = _context_names(subgraph)
    for named in composite_types(subgraph):
        field: GraphQLField
        for field_name, field in named.fields.items():
            for argument_name, argument in field.args.items():
                if not field_directives(argument, "fromContext"):
                    continue
                coordinate = f"{named.name}.{field_name}({argument_name}:)"
                errors.extend(
                    in_subgraph(code, subgraph.name, message, coordinate)
                    for code, message in _contextual_problems(
                        subgraph, named, field_name, argument, coordinate, contexts
                    )
                )
    return errors
