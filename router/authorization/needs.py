"""What a document's authorization can depend on: the scopes and policies its fields, their
types and its fragments mention, and whether any of them is ``@authenticated``.

Computed once per document (cached with it). A caller's :class:`Grant` keeps only these, so
the plan cache holds one filtered plan per document and *relevant* grant: a public query is
planned once whoever sends it (Apollo Router keys its plans the same way).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    get_named_type,
    visit,
)

from router.authorization.requirements import AccessRequirements, Requirement

__all__ = ["NO_NEEDS", "Needs", "document_needs"]


@dataclass(frozen=True, slots=True)
class Needs:
    authenticated: bool = False
    scopes: frozenset[str] = frozenset()
    policies: frozenset[str] = frozenset()
    # any requirement at all (an empty one, e.g. ``[[]]``, still needs filtering)
    any: bool = False


NO_NEEDS = Needs()


class _Collector(Visitor):
    def __init__(self, requirements: AccessRequirements, type_info: TypeInfo) -> None:
        super().__init__()
        self.requirements = requirements
        self.type_info = type_info
        self.found: set[Requirement] = set()

    def _type(self, name: str) -> None:
        self.found.add(self.requirements.of_type(name))
        for member in self.requirements.implementations.get(name, ()):
            self.found.add(self.requirements.of_type(member))

    def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
        root = self.type_info.get_type()
        if root is not None:
            self._type(get_named_type(root).name)

    def enter_field(self, node: FieldNode, *_: Any) -> None:
        parent = self.type_info.get_parent_type()
        field_type = self.type_info.get_type()
        if parent is None or field_type is None:
            return
        name = node.name.value
        self.found.add(self.requirements.of_field(parent.name, name))
        for member in self.requirements.implementations.get(parent.name, ()):
            self.found.add(self.requirements.of_field(member, name))
        self._type(get_named_type(field_type).name)

    def enter_inline_fragment(self, node: InlineFragmentNode, *_: Any) -> None:
        if node.type_condition is not None:
            self._type(node.type_condition.name.value)

    def enter_fragment_definition(self, node: FragmentDefinitionNode, *_: Any) -> None:
        self._type(node.type_condition.name.value)


def document_needs(
    document: DocumentNode, schema: GraphQLSchema, requirements: AccessRequirements
) -> Needs:
    """``document`` must be valid against ``schema`` (the API schema)."""
    if requirements.empty:
        return NO_NEEDS
    type_info = TypeInfo(schema)
    collector = _Collector(requirements, type_info)
    visit(document, TypeInfoVisitor(type_info, collector))
    found = [r for r in collector.found if r != Requirement()]
    if not found:
        return NO_NEEDS
    return Needs(
        authenticated=any(r.authenticated for r in found),
        scopes=frozenset().union(*(r.scope_names() for r in found)),
        policies=frozenset().union(*(r.policy_names() for r in found)),
        any=True,
    )
