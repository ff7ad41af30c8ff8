"""A field that ``@requires`` (or reads through ``@fromContext``) data guarded by
``@authenticated``/``@requiresScopes``/``@policy`` must itself demand at least as much, or it
would leak that data (``MISSING_TRANSITIVE_AUTH_REQUIREMENTS``; Apollo's ``AuthValidator``).

Checked on the merged supergraph, where each element carries its merged requirements.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    InlineFragmentNode,
    SelectionSetNode,
    get_named_type,
    value_from_ast_untyped,
)

from .errors import CompositionError, in_subgraph
from .fieldset import FieldSetError, parse_field_set
from .merge.access_control import dnf_conjunction
from .merge.model import Applied, MergedField, Supergraph

__all__ = ["validate_transitive_auth"]

_DNF = {"requiresScopes": "scopes", "policy": "policies"}
_NEEDS = (
    "does not specify necessary @authenticated, @requiresScopes and/or @policy auth"
    " requirements to access the transitive"
)


@dataclass(frozen=True, slots=True)
class _Requirements:
    authenticated: bool = False
    scopes: list[list[str]] | None = None
    policies: list[list[str]] | None = None

    def satisfies(self, other: _Requirements | None) -> bool:
        if other is None:
            return True
        return (
            (self.authenticated or not other.authenticated)
            and _implies(self.scopes, other.scopes)
            and _implies(self.policies, other.policies)
        )


def _implies(first: list[list[str]] | None, second: list[list[str]] | None) -> bool:
    """Every alternative of ``first`` contains some alternative of ``second``."""
    left = first or [[]]
    right = second or [[]]
    return all(any(set(r) <= set(alt) for r in right) for alt in left)


def _on(directives: list[Applied]) -> _Requirements | None:
    found: dict[str, Any] = {}
    for directive in directives:
        if directive.name == "authenticated":
            found["authenticated"] = True
        argument = _DNF.get(directive.name)
        value = directive.argument(argument) if argument is not None else None
        if argument is not None and value is not None and argument not in found:
            found[argument] = value_from_ast_untyped(value)
    return _Requirements(**found) if found else None


def _combined(*parts: _Requirements | None) -> _Requirements:
    present = [p for p in parts if p is not None]
    scopes = [p.scopes for p in present if p.scopes is not None]
    policies = [p.policies for p in present if p.policies is not None]
    return _Requirements(
        authenticated=any(p.authenticated for p in present),
        scopes=dnf_conjunction(scopes) if scopes else None,
        policies=dnf_conjunction(policies) if policies else None,
    )


class _Leak(Exception):
    pass


class _Checker:
    def __init__(self, supergraph: Supergraph) -> None:
        self.types = supergraph.types

    def type_requirements(self, name: str) -> _Requirements | None:
        merged = self.types.get(name)
        return _on(merged.directives) if merged is not None else None

    def check(
        self, owner: str, needs: _Requirements, selection_set: SelectionSetNode, via: str
    ) -> None:
        merged = self.types.get(owner)
        for selection in selection_set.selections:
            if isinstance(selection, InlineFragmentNode):
                target = owner
                if selection.type_condition is not None:
                    target = selection.type_condition.name.value
                    if not needs.satisfies(self.type_requirements(target)):
                        raise _Leak(
                            f'data in inline fragment type condition "{target}" from {via}'
                            " selection set."
                        )
                self.check(target, needs, selection.selection_set, via)
            elif isinstance(selection, FieldNode) and merged is not None:
                field = merged.fields.get(selection.name.value)
                if field is None or field.type is None:
                    continue
                returned = get_named_type(field.type).name
                if not needs.satisfies(_on(field.directives)) or not needs.satisfies(
                    self.type_requirements(returned)
                ):
                    raise _Leak(f'field "{owner}.{field.name}" data from {via} selection set.')
                if selection.selection_set is not None:
                    self.check(returned, needs, selection.selection_set, via)


def _applications(field: MergedField, graphs: dict[str, str]) -> Iterator[tuple[str, Applied]]:
    for directive in field.directives:
        if directive.name == "join__field":
            graph = getattr(directive.argument("graph"), "value", None)
            if graph is not None:
                yield graphs[graph], directive


def _contexts(supergraph: Supergraph) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for merged in supergraph.types.values():
        for directive in merged.directives:
            name = getattr(directive.argument("name"), "value", None)
            if directive.name == "context" and name is not None:
                found.setdefault(name, []).append(merged.name)
    return found


def _leaks(
    checker: _Checker,
    contexts: dict[str, list[str]],
    owner: str,
    needs: _Requirements,
    join: Applied,
) -> Iterator[str]:
    """What the ``@requires``/``@fromContext`` of one ``@join__field`` reads unguarded."""
    requires = getattr(join.argument("requires"), "value", None)
    if requires is not None:
        try:
            checker.check(owner, needs, parse_field_set(requires), "@requires")
        except _Leak as leak:
            yield str(leak)
        except FieldSetError:
            pass
    arguments = join.argument("contextArguments")
    for entry in value_from_ast_untyped(arguments) if arguments is not None else []:
        for target in contexts.get(entry["context"], []):
            try:
                if not needs.satisfies(checker.type_requirements(target)):
                    raise _Leak(
                        f"data in context {entry['context']} from @fromContext selection set."
                    )
                selection = parse_field_set(entry["selection"])
                checker.check(target, needs, selection, "@fromContext")
            except _Leak as leak:
                yield str(leak)
            except FieldSetError:
                pass


def validate_transitive_auth(supergraph: Supergraph) -> list[CompositionError]:
    checker = _Checker(supergraph)
    contexts = _contexts(supergraph)
    graphs = {enum_value: name for enum_value, name, _ in supergraph.graphs}
    errors: list[CompositionError] = []
    for merged in supergraph.types.values():
        for field in merged.fields.values():
            needs = _combined(_on(merged.directives), _on(field.directives))
            for subgraph, join in _applications(field, graphs):
                coordinate = f"{merged.name}.{field.name}"
                errors.extend(
                    in_subgraph(
                        "MISSING_TRANSITIVE_AUTH_REQUIREMENTS",
                        subgraph,
                        f'Field "{coordinate}" {_NEEDS} {leak}',
                        coordinate,
                    )
                    for leak in _leaks(checker, contexts, merged.name, needs, join)
                )
    return errors
