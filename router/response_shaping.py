"""Shape merged subgraph data to exactly what the client asked for.

Execution fetches more than requested (keys, ``@requires`` fields, ``__typename``) and merges
in arrival order; this pass walks the client's normalized operation instead and copies only
the requested response keys in request order, fills root ``__typename`` and introspection,
checks leaf values, and propagates ``null`` from non-null fields to the nearest nullable
parent (as Apollo Gateway's ``computeResponse`` does, errors included).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from graphql import (
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
)

from router.operation import Field, NormalizedOperation, Selection

__all__ = ["ShapingSchema", "shape_response"]

_MISSING: Any = object()
_INT_RANGE = range(-(2**31), 2**31)


class ShapingSchema(NamedTuple):
    """What shaping needs from the API schema, precomputed once."""

    object_types: frozenset[str]
    possible_types: Mapping[str, frozenset[str]]
    enum_values: Mapping[str, frozenset[str]]

    @classmethod
    def of(
        cls, schema: GraphQLSchema, possible_types: Mapping[str, frozenset[str]]
    ) -> ShapingSchema:
        types = schema.type_map
        return cls(
            object_types=frozenset(n for n, t in types.items() if isinstance(t, GraphQLObjectType)),
            possible_types=possible_types,
            enum_values={
                n: frozenset(t.values) for n, t in types.items() if isinstance(t, GraphQLEnumType)
            },
        )

    def applies(self, condition: str, type_name: str) -> bool:
        return condition == type_name or type_name in self.possible_types.get(condition, ())


def _valid_leaf(schema: ShapingSchema, value: Any, leaf: GraphQLOutputType) -> bool:
    name = getattr(leaf, "name", "")
    if name in schema.enum_values:
        return value in schema.enum_values[name]
    if name == "String":
        return isinstance(value, str)
    if name == "Boolean":
        return isinstance(value, bool)
    if name == "Int":
        return isinstance(value, int) and not isinstance(value, bool) and value in _INT_RANGE
    if name == "Float":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if name == "ID":
        return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))
    return isinstance(leaf, GraphQLScalarType)


def _describe(path: list[str | int], current: GraphQLOutputType, parent: str) -> str:
    last = path[-1]
    if isinstance(last, str):
        return f"field {parent}.{last}"
    return f"array element of type {current} at index {last}"


class _Shaper:
    def __init__(self, schema: ShapingSchema, introspection: Mapping[str, Any]) -> None:
        self.schema = schema
        self.introspection = introspection
        self.errors: list[dict[str, Any]] = []

    def error(self, message: str, path: list[str | int]) -> None:
        self.errors.append(
            {"message": message, "path": list(path), "extensions": {"code": "INVALID_GRAPHQL"}}
        )

    def selections(
        self,
        source: Mapping[str, Any],
        selections: tuple[Selection, ...],
        output: dict[str, Any],
        path: list[str | int],
        parent: str,
    ) -> bool:
        """Fill ``output``; True when a null must bubble up to the parent."""
        for selection in selections:
            if not isinstance(selection, Field):
                runtime = source.get("__typename") or parent
                condition = selection.type_condition
                # inside a fragment on an abstract type the object keeps its own type (an
                # inner "... on Movie" must still apply to a Movie)
                inner = condition if condition in self.schema.object_types else runtime
                if self.schema.applies(condition, runtime) and (
                    self.selections(source, selection.selections, output, path, inner)
                ):
                    return True
                continue
            key = selection.response_key
            if selection.name in ("__schema", "__type"):
                output.setdefault(key, self.introspection.get(key))
                continue
            if selection.name == "__typename":
                if key not in output:
                    typename = self.typename(source, key, parent)
                    if typename is None:  # no concrete type known (e.g. an unknown entity)
                        self.error(
                            f"Cannot return null for non-nullable field {parent}.__typename.",
                            [*path, key],
                        )
                        return True
                    output[key] = typename
                continue
            value = source.get(key)
            path.append(key)
            updated, invalid, _ = self.value(
                output.get(key, _MISSING), selection.type, value, selection, path, parent
            )
            path.pop()
            output[key] = updated
            if invalid:
                return True
        return False

    def typename(self, source: Mapping[str, Any], key: str, parent: str) -> str | None:
        value = source.get(key)
        if value is None and key != "__typename":
            value = source.get("__typename")
        if isinstance(value, str) and value in self.schema.object_types:
            return value
        return parent if parent in self.schema.object_types else None

    def value(
        self,
        output: Any,
        field_type: GraphQLOutputType,
        value: Any,
        field: Field,
        path: list[str | int],
        parent: str,
    ) -> tuple[Any, bool, bool]:
        """Return (updated output, invalid null to bubble, errors already reported)."""
        if output is None or (output is not _MISSING and field.is_leaf):
            return output, False, False
        if isinstance(field_type, GraphQLNonNull):
            updated, _, reported = self.value(
                output, field_type.of_type, value, field, path, parent
            )
            if updated is None:
                if not reported:
                    self.error(
                        "Cannot return null for non-nullable "
                        f"{_describe(path, field_type.of_type, parent)}.",
                        path,
                    )
                return None, True, True
            return updated, False, False
        if value is None:
            return None, False, False
        if isinstance(field_type, GraphQLList):
            return self.list_value(output, field_type, value, field, path, parent)
        if not field.is_leaf:
            return self.object_value(output, value, field, path, parent)
        if _valid_leaf(self.schema, value, field_type):
            return value, False, False
        self.error(f"Invalid value found for {_describe(path, field_type, parent)}.", path)
        return None, False, True

    def list_value(
        self,
        output: Any,
        field_type: GraphQLList[Any],
        value: Any,
        field: Field,
        path: list[str | int],
        parent: str,
    ) -> tuple[Any, bool, bool]:
        if not isinstance(value, list):
            self.error(f"Invalid value found for {_describe(path, field_type, parent)}.", path)
            return None, False, True
        items = output if isinstance(output, list) else [_MISSING] * len(value)
        nullify = reported = False
        for index, item in enumerate(value):
            path.append(index)
            items[index], invalid, item_reported = self.value(
                items[index], field_type.of_type, item, field, path, parent
            )
            path.pop()
            nullify = nullify or invalid
            reported = reported or item_reported
        return (None if nullify else items), False, reported

    def object_value(
        self, output: Any, value: Any, field: Field, path: list[str | int], parent: str
    ) -> tuple[Any, bool, bool]:
        if not isinstance(value, dict):
            self.error(f"Invalid value found for {_describe(path, field.type, parent)}.", path)
            return None, False, True
        typename = value.get("__typename")
        type_name = field.type_name
        # an @interfaceObject subgraph answers its interface's name: no concrete type known,
        # and none needed when the plan did not ask the interface's owner for it
        if typename is not None and typename not in self.schema.possible_types:
            if typename not in self.schema.object_types:
                self.error(
                    "Invalid __typename found for object at "
                    f"{_describe(path, field.type, parent)}.",
                    path,
                )
                return None, False, True
            type_name = typename
        target = output if isinstance(output, dict) else {}
        if self.selections(value, field.selections, target, path, type_name):
            return None, False, True
        return target, False, False


def shape_response(
    schema: ShapingSchema,
    operation: NormalizedOperation,
    data: Mapping[str, Any],
    introspection: Mapping[str, Any] | None = None,
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """Return the client's ``data`` (None when a null bubbled to the root) and shaping errors."""
    shaper = _Shaper(schema, introspection or {})
    output: dict[str, Any] = {}
    bubbled = shaper.selections(data, operation.selections, output, [], operation.root_type)
    return (None if bubbled else output), shaper.errors
