"""The order of response keys the GraphQL spec prescribes, to check an answer against.

``CollectFields`` (spec section 6.3.2) walks a selection set in document order, into the
fragments whose type condition applies to the object's runtime type, skipping what
``@skip``/``@include`` leave out; each response key takes the position of its first
occurrence. :func:`in_spec_order` rebuilds a response's ``data`` in that order, so an answer
whose only difference from another is key order can be told right or wrong without a
third gateway. An object's runtime type is its ``__typename`` when selected, else the only
possible type whose collected keys are the object's keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    is_abstract_type,
    is_leaf_type,
)

from tests.differential.conditions import included, variables_with_defaults

__all__ = ["in_spec_order"]


def in_spec_order(
    schema: GraphQLSchema, document: DocumentNode, variables: Mapping[str, Any], data: Any
) -> Any:
    """``data`` with every object's keys in the order ``CollectFields`` gives them."""
    return _Orderer(schema, document, variables).root(data)


class _Orderer:
    def __init__(
        self, schema: GraphQLSchema, document: DocumentNode, variables: Mapping[str, Any]
    ) -> None:
        self.schema = schema
        self.variables = variables_with_defaults(document, variables)
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.operation = next(
            d for d in document.definitions if isinstance(d, OperationDefinitionNode)
        )

    def root(self, data: Any) -> Any:
        query_type = self.schema.query_type
        if not isinstance(data, dict) or query_type is None:
            return data
        return self.object(query_type, [self.operation.selection_set], data)

    def value(self, type_: GraphQLOutputType, sets: list[SelectionSetNode], value: Any) -> Any:
        if value is None:
            return None
        if isinstance(type_, GraphQLNonNull):
            return self.value(type_.of_type, sets, value)
        if isinstance(type_, GraphQLList):
            if not isinstance(value, list):
                return value
            return [self.value(type_.of_type, sets, item) for item in value]
        if is_leaf_type(type_) or not isinstance(value, dict):
            return value
        if is_abstract_type(type_):
            runtime = self.runtime_type(type_, sets, value)
            return value if runtime is None else self.object(runtime, sets, value)
        assert isinstance(type_, GraphQLObjectType)
        return self.object(type_, sets, value)

    def runtime_type(
        self, abstract: Any, sets: list[SelectionSetNode], value: dict[str, Any]
    ) -> GraphQLObjectType | None:
        candidates = list(self.schema.get_possible_types(abstract))
        for candidate in candidates:
            collected = self.collect(candidate, sets)
            named = [k for k, nodes in collected.items() if nodes[0].name.value == "__typename"]
            if named and value.get(named[0]) == candidate.name:
                return candidate
        matching = [c for c in candidates if set(self.collect(c, sets)) == set(value)]
        return matching[0] if len(matching) == 1 else None

    def object(
        self, type_: GraphQLObjectType, sets: list[SelectionSetNode], value: dict[str, Any]
    ) -> dict[str, Any]:
        ordered: dict[str, Any] = {}
        for key, nodes in self.collect(type_, sets).items():
            if key not in value:
                continue
            name = nodes[0].name.value
            definition = type_.fields.get(name)
            if definition is None:  # __typename
                ordered[key] = value[key]
                continue
            children = [node.selection_set for node in nodes if node.selection_set]
            ordered[key] = self.value(definition.type, children, value[key])
        ordered.update((key, item) for key, item in value.items() if key not in ordered)
        return ordered

    def collect(
        self, type_: GraphQLObjectType, sets: list[SelectionSetNode]
    ) -> dict[str, list[FieldNode]]:
        collected: dict[str, list[FieldNode]] = {}
        visited: set[str] = set()
        for selection_set in sets:
            self._collect(type_, selection_set, collected, visited)
        return collected

    def _collect(
        self,
        type_: GraphQLObjectType,
        selection_set: SelectionSetNode,
        collected: dict[str, list[FieldNode]],
        visited: set[str],
    ) -> None:
        for selection in selection_set.selections:
            assert isinstance(selection, FieldNode | InlineFragmentNode | FragmentSpreadNode)
            if not included(selection, self.variables):
                continue
            if isinstance(selection, FieldNode):
                key = (selection.alias or selection.name).value
                collected.setdefault(key, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                if condition is None or self.applies(condition.name.value, type_):
                    self._collect(type_, selection.selection_set, collected, visited)
            elif selection.name.value not in visited:
                visited.add(selection.name.value)
                fragment = self.fragments[selection.name.value]
                if self.applies(fragment.type_condition.name.value, type_):
                    self._collect(type_, fragment.selection_set, collected, visited)

    def applies(self, condition: str, type_: GraphQLObjectType) -> bool:
        named = self.schema.type_map[condition]
        if named is type_:
            return True
        return is_abstract_type(named) and self.schema.is_sub_type(named, type_)
