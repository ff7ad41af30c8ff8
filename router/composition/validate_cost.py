"""Demand-control directives in one subgraph (Federation 2.9): ``@cost`` not on interface
fields, ``@listSize`` only on lists, with ``Int`` slicing arguments of the field and sized
fields that are lists of the returned type (Apollo's ``validateListSize*`` rules).
"""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLField,
    GraphQLInt,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLType,
    get_named_type,
    is_composite_type,
    value_from_ast_untyped,
)

from .errors import CompositionError, in_subgraph
from .expand import Subgraph
from .metadata import composite_types, field_directives

__all__ = ["validate_cost"]


def _is_list(type_: GraphQLType | None) -> bool:
    inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    return isinstance(inner, GraphQLList)


def _is_int(type_: GraphQLType) -> bool:
    inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    return inner is GraphQLInt


def _arguments(application: Any) -> dict[str, Any]:
    return {a.name.value: value_from_ast_untyped(a.value) for a in application.arguments or ()}


def _list_size_problems(
    field: GraphQLField, coordinate: str, application: Any
) -> list[tuple[str, str]]:
    arguments = _arguments(application)
    sized = arguments.get("sizedFields") or []
    problems: list[tuple[str, str]] = []
    if not sized and not _is_list(field.type):
        problems.append(("LIST_SIZE_APPLIED_TO_NON_LIST", f'"{coordinate}" is not a list'))
    assumed = arguments.get("assumedSize")
    if isinstance(assumed, int) and assumed < 0:
        problems.append(
            ("LIST_SIZE_INVALID_ASSUMED_SIZE", f'Assumed size of "{coordinate}" cannot be negative')
        )
    for name in arguments.get("slicingArguments") or []:
        argument = field.args.get(name)
        if argument is None:
            problems.append(
                (
                    "LIST_SIZE_INVALID_SLICING_ARGUMENT",
                    f'Slicing argument "{name}" is not an argument of "{coordinate}"',
                )
            )
        elif not _is_int(argument.type):
            problems.append(
                (
                    "LIST_SIZE_INVALID_SLICING_ARGUMENT",
                    f'Slicing argument "{coordinate}({name}:)" must be Int or Int!',
                )
            )
    if sized:
        problems.extend(_sized_field_problems(field, sized))
    return problems


def _sized_field_problems(field: GraphQLField, sized: list[str]) -> list[tuple[str, str]]:
    base = get_named_type(field.type)
    if not is_composite_type(base):
        return [
            (
                "LIST_SIZE_INVALID_SIZED_FIELD",
                f'Sized fields cannot be used because "{field.type}" is not a composite type',
            )
        ]
    fields = getattr(base, "fields", {})
    problems: list[tuple[str, str]] = []
    for name in sized:
        target = fields.get(name)
        if target is None:
            problems.append(
                (
                    "LIST_SIZE_INVALID_SIZED_FIELD",
                    f'Sized field "{name}" is not a field on type "{base.name}"',
                )
            )
        elif not _is_list(target.type):
            problems.append(
                ("LIST_SIZE_APPLIED_TO_NON_LIST", f'Sized field "{base.name}.{name}" is not a list')
            )
    return problems


def validate_cost(subgraph: Subgraph) -> list[CompositionError]:
    uses_cost = "cost" in subgraph.local_names
    uses_list_size = "listSize" in subgraph.local_names
    errors: list[CompositionError] = []
    for named in composite_types(subgraph):
        for name, field in named.fields.items():
            coordinate = f"{named.name}.{name}"
            if (
                uses_cost
                and isinstance(named, GraphQLInterfaceType)
                and field_directives(field, "cost")
            ):
                errors.append(
                    in_subgraph(
                        "COST_APPLIED_TO_INTERFACE_FIELD",
                        subgraph.name,
                        f'@cost cannot be applied to interface "{coordinate}"',
                        coordinate,
                    )
                )
            if not uses_list_size:
                continue
            for application in field_directives(field, "listSize"):
                errors.extend(
                    in_subgraph(code, subgraph.name, message, coordinate)
                    for code, message in _list_size_problems(field, coordinate, application)
                )
    return errors
