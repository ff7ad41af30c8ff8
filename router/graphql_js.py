"""graphql-js wording for the errors graphql-core raises, so clients see what Apollo sends.

graphql-core quotes names with ``'`` where graphql-js uses ``"``, prints values the Python
way, and runs a few validation rules graphql-js 16 does not have (their checks happen
elsewhere in Apollo, with other messages).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from typing import Any

from graphql import ASTValidationRule, OperationDefinitionNode
from graphql.validation import (
    ExecutableDefinitionsRule,
    FieldsOnCorrectTypeRule,
    FragmentsOnCompositeTypesRule,
    KnownArgumentNamesRule,
    KnownDirectivesRule,
    KnownFragmentNamesRule,
    KnownTypeNamesRule,
    LoneAnonymousOperationRule,
    NoFragmentCyclesRule,
    NoUndefinedVariablesRule,
    NoUnusedFragmentsRule,
    NoUnusedVariablesRule,
    OverlappingFieldsCanBeMergedRule,
    PossibleFragmentSpreadsRule,
    ProvidedRequiredArgumentsRule,
    ScalarLeafsRule,
    SingleFieldSubscriptionsRule,
    UniqueArgumentNamesRule,
    UniqueDirectivesPerLocationRule,
    UniqueFragmentNamesRule,
    UniqueInputFieldNamesRule,
    UniqueOperationNamesRule,
    UniqueVariableNamesRule,
    ValuesOfCorrectTypeRule,
    VariablesAreInputTypesRule,
    VariablesInAllowedPositionRule,
)

__all__ = [
    "MAX_ECHOED_WORD",
    "VALIDATION_RULES",
    "js_inspect",
    "js_introspection",
    "js_quotes",
    "truncate_words",
]


class _NoUndefinedVariablesRule(NoUndefinedVariablesRule):
    """graphql-js reports when leaving the operation, which orders the errors after others."""

    def enter_operation_definition(self, *_args: Any) -> None:
        return None

    def leave_operation_definition(self, operation: OperationDefinitionNode, *_args: Any) -> None:
        super().enter_operation_definition(operation)


class _NoUnusedVariablesRule(NoUnusedVariablesRule):
    """graphql-js reports when leaving the operation, which orders the errors after others."""

    def enter_operation_definition(self, *_args: Any) -> None:
        return None

    def leave_operation_definition(self, operation: OperationDefinitionNode, *_args: Any) -> None:
        super().enter_operation_definition(operation)


# graphql-js 16 ``specifiedRules``, in its order (errors come out in this order too)
VALIDATION_RULES: tuple[type[ASTValidationRule], ...] = (
    ExecutableDefinitionsRule,
    UniqueOperationNamesRule,
    LoneAnonymousOperationRule,
    SingleFieldSubscriptionsRule,
    KnownTypeNamesRule,
    FragmentsOnCompositeTypesRule,
    VariablesAreInputTypesRule,
    ScalarLeafsRule,
    FieldsOnCorrectTypeRule,
    UniqueFragmentNamesRule,
    KnownFragmentNamesRule,
    NoUnusedFragmentsRule,
    PossibleFragmentSpreadsRule,
    NoFragmentCyclesRule,
    UniqueVariableNamesRule,
    _NoUndefinedVariablesRule,
    _NoUnusedVariablesRule,
    KnownDirectivesRule,
    UniqueDirectivesPerLocationRule,
    KnownArgumentNamesRule,
    UniqueArgumentNamesRule,
    ValuesOfCorrectTypeRule,
    ProvidedRequiredArgumentsRule,
    VariablesInAllowedPositionRule,
    OverlappingFieldsCanBeMergedRule,
    UniqueInputFieldNamesRule,
)

_QUOTED = re.compile(r"'([^']*)'")
# the longest run of non-blank, non-quote characters (a name, a value) echoed in a message
MAX_ECHOED_WORD = 100
_LONG_WORD = re.compile(rf'[^\s"]{{{MAX_ECHOED_WORD + 1},}}')
_MAX_DEPTH = 2


_REWRITES: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = (
    (
        re.compile(r'^Argument "@(\w+)\((\w+):\)" of type'),
        r'Directive "@\1" argument "\2" of type',
    ),
    (re.compile(r"may not be used on (\w+)\.$"), lambda m: f"may not be used on {m[1].upper()}."),
)


def js_quotes(message: str) -> str:
    """``Cannot query field 'x'`` -> ``Cannot query field "x"`` (and a few rewordings)."""
    message = _QUOTED.sub(r'"\1"', message)
    for pattern, replacement in _REWRITES:
        message = pattern.sub(replacement, message)
    return message


def truncate_words(message: str) -> str:
    """Shorten every word over ``MAX_ECHOED_WORD`` characters to that many and "...".

    Messages echo names and values from the request (a field, an alias, an operation name):
    a 1 MB alias must not come back in the error.
    """
    return _LONG_WORD.sub(lambda match: match[0][:MAX_ECHOED_WORD] + "...", message)


def js_inspect(value: Any, depth: int = 0) -> str:
    """What graphql-js ``inspect`` prints for a JSON value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, list):
        if depth >= _MAX_DEPTH:
            return "[Array]"
        return "[" + ", ".join(js_inspect(v, depth + 1) for v in value) + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        if depth >= _MAX_DEPTH:
            return "[Object]"
        items = ", ".join(f"{k}: {js_inspect(v, depth + 1)}" for k, v in value.items())
        return "{ " + items + " }"
    return str(value)


# graphql-core 3.3 introspects like graphql-js 17; graphql-js 16 (Apollo Gateway) differs here
_JS16_DESCRIPTIONS = {
    "If this server supports subscription, the type that subscription operations will be "
    "rooted at.": "If this server support subscription, the type that subscription "
    "operations will be rooted at.",
    "Location adjacent to an operation variable definition.": (
        "Location adjacent to a variable definition."
    ),
}
_JS17_LOCATION = (
    "FRAGMENT_VARIABLE_DEFINITION",
    "Location adjacent to a fragment variable definition.",
)
_JS16_NULLABLE_ARGUMENTS = {"includeDeprecated": "Boolean"}


def js_introspection(value: Any) -> Any:
    """Rewrite an introspection result the way graphql-js 16 answers it.

    Three differences: ``includeDeprecated`` (but on ``__Schema.directives``) and
    ``@deprecated(reason:)`` are nullable, there is no ``FRAGMENT_VARIABLE_DEFINITION``
    location, and two descriptions are worded differently. Results are matched by field
    names (introspection queries do not alias them).
    """
    if isinstance(value, list):
        return [js_introspection(item) for item in value if not _is_js17_location(item)]
    if not isinstance(value, dict):
        return _JS16_DESCRIPTIONS.get(value, value) if isinstance(value, str) else value
    result = {key: js_introspection(item) for key, item in value.items()}
    arguments = result.get("args")
    if isinstance(arguments, list) and result.get("name") != "directives":
        nullable = {**_JS16_NULLABLE_ARGUMENTS}
        if result.get("name") == "deprecated" and "type" not in result:  # the directive
            nullable["reason"] = "String"
        result["args"] = [_nullable_argument(a, nullable) for a in arguments]
    return result


def _is_js17_location(item: Any) -> bool:
    return (
        isinstance(item, dict)
        and item.get("name") == _JS17_LOCATION[0]
        and item.get("description", _JS17_LOCATION[1]) == _JS17_LOCATION[1]
    )


def _nullable_argument(argument: Any, nullable: Mapping[str, str]) -> Any:
    if not isinstance(argument, dict) or argument.get("name") not in nullable:
        return argument
    type_name = nullable[argument["name"]]
    wrapper = argument.get("type")
    if not isinstance(wrapper, dict) or wrapper.get("kind") != "NON_NULL":
        return argument
    inner = wrapper.get("ofType")
    if not isinstance(inner, dict) or inner.get("name") != type_name:
        return argument
    return {**argument, "type": {key: inner.get(key) for key in wrapper}}
