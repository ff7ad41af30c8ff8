"""``@skip``/``@include``: whether a selection is part of the operation for given variables."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    BooleanValueNode,
    DocumentNode,
    FieldNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    VariableNode,
)

__all__ = ["included", "variables_with_defaults"]


def included(
    node: FieldNode | InlineFragmentNode | FragmentSpreadNode, variables: Mapping[str, Any]
) -> bool:
    for directive in node.directives or ():
        if directive.name.value not in ("skip", "include"):
            continue
        argument = next(a for a in directive.arguments or () if a.name.value == "if")
        value = argument.value
        if isinstance(value, VariableNode):
            condition = bool(variables[value.name.value])
        else:
            assert isinstance(value, BooleanValueNode)
            condition = value.value
        if condition == (directive.name.value == "skip"):
            return False
    return True


def variables_with_defaults(document: DocumentNode, given: Mapping[str, Any]) -> dict[str, Any]:
    """``given`` plus the Boolean defaults of the variables it leaves out."""
    values = dict(given)
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            for variable in definition.variable_definitions or ():
                name = variable.variable.name.value
                if name not in values and isinstance(variable.default_value, BooleanValueNode):
                    values[name] = variable.default_value.value
    return values
