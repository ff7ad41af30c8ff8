"""Personal data: the one place where fields tagged ``@tag(name: "pii")`` are masked.

A subgraph marks its personal data in its schema (``strawberry.federation.field(tags=["pii"])``
on an output field; on an input field or an enum value that filters or sorts by it). When the
schema is built, :func:`protect_personal_data` wraps exactly those fields' resolvers once:

- a tagged output field answers its value masked (:func:`mask`) unless the caller has the
  scope ``pii:read`` (:mod:`subgraphs.common.identity`) or is the customer the value belongs
  to (a customer token reads its own profile and addresses in full); an unmasked value is
  reported to the router's audit log (:mod:`subgraphs.common.audit_report`) as the entity's
  id and the field name, never the value. The entity is the object's ``id``, or the
  ``(type, id)`` an object without one names in a private ``pii_owner`` (an address belongs
  to its customer);
- a field whose arguments reach a tagged input field or enum value (``filter: {search}``
  matching names and emails, ``orderBy: {field: NAME}``) refuses them with ``FORBIDDEN``
  without ``pii:read``: a caller who may only see ``Z***`` must not learn a name by asking
  which customers match it, or by sorting on it (an oracle on the masked value).

Nothing runs on the other fields: the cost is one scope check per personal value returned.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable, Iterator, Mapping
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
    GraphQLString,
    default_field_resolver,
    get_nullable_type,
)

from subgraphs.common.access import owned_customer
from subgraphs.common.audit_report import report_of
from subgraphs.common.errors import DomainError
from subgraphs.common.identity import CallerIdentity, current_identity
from subgraphs.common.ids import format_id

__all__ = [
    "PII_SCOPE",
    "PII_TAG",
    "PiiForbidden",
    "is_pii",
    "mask",
    "mask_email",
    "mask_name",
    "mask_phone",
    "mask_text",
    "protect_personal_data",
]

PII_TAG = "pii"
PII_SCOPE = "pii:read"
_HIDDEN = "***"
_DIGITS = re.compile(r"\d")
# A country code is 1 to 3 digits; without a separator after it, show the shortest guess
# (E.164: +1 and +7 are whole codes, the others take at least two digits).
_COUNTRY_CODE = re.compile(r"^\+(\d{1,3})[\s().-]")

Resolver = Callable[..., Any]


class PiiForbidden(DomainError):
    """An argument that filters or sorts by personal data, from a caller without pii:read."""

    code = "FORBIDDEN"


def mask_email(value: str) -> str:
    """``yang@example.com`` -> ``y***@example.com`` (the domain stays: it says whose mail host)."""
    local, at, domain = value.partition("@")
    if not at or not local:
        return _HIDDEN
    return f"{local[0]}{_HIDDEN}@{domain}"


def mask_phone(value: str) -> str:
    """``+86 138 1234 5678`` -> ``+86 *** **** 5678``: the country code and the last 4 digits."""
    digits = _DIGITS.findall(value)
    if len(digits) < 7:
        return _HIDDEN
    last = "".join(digits[-4:])
    stripped = value.strip()
    code = ""
    if stripped.startswith("+"):
        match = _COUNTRY_CODE.match(stripped)
        if match is not None:
            code = "+" + match.group(1)
        else:
            code = "+" + "".join(digits[: 1 if digits[0] in "17" else 2])
        return f"{code} *** **** {last}"
    return f"*** **** {last}"


def mask_name(value: str) -> str:
    """``Zhang Wei`` -> ``Z***``."""
    stripped = value.strip()
    return f"{stripped[0]}{_HIDDEN}" if stripped else _HIDDEN


def mask_text(_value: str) -> str:
    """Address lines, postal codes and anything else tagged: nothing is shown."""
    return _HIDDEN


_MASKS: Mapping[str, Callable[[str], str]] = {
    "email": mask_email,
    "phone": mask_phone,
    "name": mask_name,
}


def mask(field_name: str, value: str) -> str:
    """``value`` of the field ``field_name`` as a caller without pii:read sees it."""
    return _MASKS.get(field_name, mask_text)(value)


def is_pii(extensions: Mapping[str, Any] | None) -> bool:
    """Whether a graphql-core field, input field or enum value of a Strawberry schema carries
    ``@tag(name: "pii")``."""
    definition = (extensions or {}).get("strawberry-definition")
    for directive in getattr(definition, "directives", None) or ():
        if type(directive).__name__ == "Tag" and getattr(directive, "name", None) == PII_TAG:
            return True
    return False


def protect_personal_data(schema: GraphQLSchema) -> None:
    """Wrap, once, the resolvers of the fields tagged pii and of the fields whose arguments
    filter or sort by personal data (see the module docstring)."""
    for named in schema.type_map.values():
        if not isinstance(named, GraphQLObjectType) or named.name.startswith("__"):
            continue
        for name, field in named.fields.items():
            if is_pii(field.extensions):
                _check_maskable(named.name, name, field)
                field.resolve = _masking(named.name, name, field.resolve or default_field_resolver)
            guarded = dict(_pii_arguments(field))
            if guarded:
                field.resolve = _guarding(guarded, field.resolve or default_field_resolver)


def _check_maskable(type_name: str, name: str, field: GraphQLField) -> None:
    if get_nullable_type(field.type) is not GraphQLString:
        raise TypeError(
            f"{type_name}.{name} is tagged pii but is not a String: it cannot be masked"
        )


def _masking(type_name: str, field_name: str, resolve: Resolver) -> Resolver:
    def finish(source: Any, info: GraphQLResolveInfo[Any], value: Any) -> Any:
        if value is None:
            return None
        caller = current_identity()
        owner = getattr(source, "pii_owner", None)
        entity, entity_id, touched = (
            (type_name, _entity_id(source), field_name)
            if owner is None
            else (owner[0], owner[1], f"{type_name}.{field_name}")  # Customer 42, Address.line1
        )
        if caller.has_scope(PII_SCOPE) or _is_own(caller, entity, entity_id):
            report = report_of(info.context)
            if report is not None:
                report.read_pii(entity, entity_id, touched)
            return value
        return mask(field_name, str(value))

    async def later(source: Any, info: GraphQLResolveInfo[Any], pending: Awaitable[Any]) -> Any:
        return finish(source, info, await pending)

    def resolve_masked(source: Any, info: GraphQLResolveInfo[Any], **arguments: Any) -> Any:
        value = resolve(source, info, **arguments)
        if inspect.isawaitable(value):
            return later(source, info, value)
        return finish(source, info, value)

    return resolve_masked


def _is_own(caller: CallerIdentity, entity: str, entity_id: str | None) -> bool:
    """A customer reads its own personal data unmasked (it is the data subject)."""
    if entity != "Customer" or entity_id is None:
        return False
    own = owned_customer(caller)
    return own is not None and format_id(own) == entity_id


def _entity_id(source: Any) -> str | None:
    value = getattr(source, "id", None)
    if value is None and isinstance(source, Mapping):
        value = source.get("id")
    return None if value is None else str(value)


# What to look for in an argument's value: ("field", name, nested) for an input object's
# field, ("values", frozenset of tagged enum values) for an enum.
_Guard = tuple[str, Any]


def _pii_arguments(field: GraphQLField) -> Iterator[tuple[str, list[_Guard]]]:
    for name, argument in field.args.items():
        guards = _guards(argument.type, set())
        if guards:
            yield name, guards


def _guards(type_: GraphQLInputType, seen: set[str]) -> list[_Guard]:
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        type_ = type_.of_type
    if isinstance(type_, GraphQLEnumType):
        tagged = frozenset(
            spelling
            for name, value in type_.values.items()
            if is_pii(value.extensions)
            for spelling in (name, value.value)
        )
        return [("values", tagged)] if tagged else []
    if not isinstance(type_, GraphQLInputObjectType) or type_.name in seen:
        return []
    seen = {*seen, type_.name}
    guards: list[_Guard] = []
    for name, input_field in type_.fields.items():
        if is_pii(input_field.extensions):
            guards.append(("field", (name, None)))
            continue
        nested = _guards(input_field.type, seen)
        if nested:
            guards.append(("field", (name, nested)))
    return guards


def _uses_pii(value: Any, guards: list[_Guard]) -> bool:
    if value is None:
        return False
    if isinstance(value, list):
        return any(_uses_pii(item, guards) for item in value)
    for kind, detail in guards:
        if kind == "values":
            spellings = {getattr(value, "name", None), getattr(value, "value", None), value}
            if not detail.isdisjoint(s for s in spellings if isinstance(s, str)):
                return True
        elif isinstance(value, Mapping):
            name, nested = detail
            inner = value.get(name)
            if inner in (None, ""):  # not given, or a no-op empty search
                continue
            if nested is None or _uses_pii(inner, nested):
                return True
    return False


def _guarding(guarded: Mapping[str, list[_Guard]], resolve: Resolver) -> Resolver:
    def resolve_guarded(source: Any, info: GraphQLResolveInfo[Any], **arguments: Any) -> Any:
        if not current_identity().has_scope(PII_SCOPE):
            for name, guards in guarded.items():
                if _uses_pii(arguments.get(name), guards):
                    raise PiiForbidden(
                        f"`{name}` filters or sorts by personal data, which needs the "
                        f"scope {PII_SCOPE}",
                        argument=name,
                    )
        return resolve(source, info, **arguments)

    return resolve_guarded
