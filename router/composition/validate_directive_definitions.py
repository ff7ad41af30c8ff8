"""A subgraph may write out the definitions of the federation directives it uses; they must
agree with federation's own (Apollo's ``ensureSameDirectiveStructure``):
``DIRECTIVE_DEFINITION_INVALID`` for a missing required argument, an argument of another
type or default value, an unknown argument, ``repeatable`` where federation's is not, or a
location federation's definition does not have.

Only Federation 2 subgraphs are checked (Federation 1 SDLs carry a variety of historical
definitions that Apollo's upgrade replaces). ``@tag`` and ``@inaccessible`` have their own
compatibility rules and are not checked here.
"""

from __future__ import annotations

from graphql import (
    DirectiveDefinitionNode,
    InputValueDefinitionNode,
    ListTypeNode,
    NamedTypeNode,
    NonNullTypeNode,
    TypeNode,
    print_ast,
)

from .errors import CompositionError, error
from .expand import Subgraph
from .federation_spec import FEDERATION_IDENTITY, directive_definition
from .links import Link
from .merge.model import print_value

__all__ = ["validate_directive_definitions"]

_UNCHECKED = frozenset({"tag", "inaccessible"})
_BUILT_IN_SCALARS = frozenset({"Int", "Float", "String", "Boolean", "ID"})


class _Names:
    """Federation type names (``federation__FieldSet``) as this subgraph spells them."""

    def __init__(self, link: Link) -> None:
        self.link = link

    def local(self, canonical: str) -> str:
        bare = canonical.removeprefix("federation__")
        for original, local in self.link.imports:
            if original == bare:
                return local
        return f"{self.link.name_in_schema}__{bare}"

    def print(self, node: TypeNode) -> str:
        if isinstance(node, NonNullTypeNode):
            return self.print(node.type) + "!"
        if isinstance(node, ListTypeNode):
            return f"[{self.print(node.type)}]"
        assert isinstance(node, NamedTypeNode)
        name = node.name.value
        return self.local(name) if name.startswith("federation__") else name


def _compatible(names: _Names, expected: TypeNode, actual: TypeNode) -> bool:
    """Same type, or a custom federation scalar redefined as a built-in one (``String``)."""
    if names.print(expected) == print_ast(actual):
        return True
    if isinstance(expected, ListTypeNode | NonNullTypeNode):
        return type(actual) is type(expected) and _compatible(
            names,
            expected.type,
            actual.type,
        )
    assert isinstance(expected, NamedTypeNode)
    return (
        expected.name.value.startswith("federation__")
        and isinstance(actual, NamedTypeNode)
        and actual.name.value in _BUILT_IN_SCALARS
    )


def _default(argument: InputValueDefinitionNode) -> str:
    value = argument.default_value
    return "undefined" if value is None else print_value(value)


def _argument_problems(
    names: _Names, expected: DirectiveDefinitionNode, actual: DirectiveDefinitionNode
) -> list[str]:
    written = {a.name.value: a for a in actual.arguments or ()}
    problems: list[str] = []
    for argument in expected.arguments or ():
        name = argument.name.value
        mine = written.get(name)
        if mine is None:
            if isinstance(argument.type, NonNullTypeNode) and argument.default_value is None:
                problems.append(f'missing required argument "{name}"')
            continue
        actual_type = mine.type
        if isinstance(actual_type, NonNullTypeNode) and not isinstance(
            argument.type, NonNullTypeNode
        ):
            actual_type = actual_type.type
        if not _compatible(names, argument.type, actual_type):
            problems.append(
                f'argument "{name}" should have type "{names.print(argument.type)}" but found'
                f' type "{print_ast(mine.type)}"'
            )
        elif not isinstance(mine.type, NonNullTypeNode) and _default(argument) != _default(mine):
            problems.append(
                f'argument "{name}" should have default value {_default(argument)} but found'
                f" default value {_default(mine)}"
            )
    known = {a.name.value for a in expected.arguments or ()}
    problems.extend(
        f'unknown/unsupported argument "{name}"' for name in written if name not in known
    )
    return problems


def _structure_problems(
    quoted: str, expected: DirectiveDefinitionNode, actual: DirectiveDefinitionNode
) -> list[str]:
    problems: list[str] = []
    if actual.repeatable and not expected.repeatable:
        problems.append(f"{quoted} should not be repeatable")
    allowed = [loc.value for loc in expected.locations]
    written = [loc.value for loc in actual.locations]
    if not all(loc in allowed for loc in written):
        problems.append(
            f"{quoted} should have locations {', '.join(allowed)}, but found (non-subset)"
            f" {', '.join(written)}"
        )
    return problems


def validate_directive_definitions(subgraph: Subgraph) -> list[CompositionError]:
    """``DIRECTIVE_DEFINITION_INVALID`` for each way a written definition differs."""
    version = subgraph.federation_version
    link = next((lk for lk in subgraph.links if lk.identity == FEDERATION_IDENTITY), None)
    if version is None or link is None:
        return []
    names = _Names(link)
    errors: list[CompositionError] = []
    for canonical, actual in subgraph.written_definitions.items():
        if canonical in _UNCHECKED:
            continue
        expected = directive_definition(canonical, version)
        quoted = f'"@{actual.name.value}"'
        problems = _argument_problems(names, expected, actual)
        problems += _structure_problems(quoted, expected, actual)
        errors.extend(
            error(
                "DIRECTIVE_DEFINITION_INVALID",
                f"[{subgraph.name}] Invalid definition for directive {quoted}: {problem}",
                [subgraph.name],
                [f"@{actual.name.value}"],
            )
            for problem in problems
        )
    return errors
