"""Demand control: the static cost of an operation, from ``@cost`` and ``@listSize``.

The model is Apollo Router's ``static_estimated`` strategy (the IBM GraphQL cost spec as
Apollo reads it): an object, interface or union costs 1 and a scalar or enum 0, unless the
field or its type carries ``@cost(weight:)``; an argument with ``@cost`` adds its weight;
a list multiplies its element's cost by its size, taken from ``@listSize``: the largest
value given to one of its ``slicingArguments`` (a literal, a variable or the argument's
default), else its ``assumedSize``, else the configured default ``list_size``. With
``sizedFields`` the size applies to those child fields instead (``edges``, ``nodes`` of a
connection). A mutation costs 10 more. Fragments on abstract types are all counted (an
upper bound, as Apollo does).

The estimate runs on the normalised operation before planning, so an operation over
``max`` is refused (``COST_ESTIMATED_TOO_EXPENSIVE``) before any subgraph is called. The
actual cost walks the response the same way, with the lists' real lengths.
"""

from __future__ import annotations

import contextlib
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from graphql import (
    GraphQLArgument,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    VariableNode,
    get_named_type,
    is_composite_type,
    value_from_ast,
    value_from_ast_untyped,
)
from pydantic import BaseModel, ConfigDict
from pydantic import Field as ConfigField

from router.operation import Field, NormalizedOperation, Selection
from router.request import OperationKind

__all__ = [
    "COST_ESTIMATED_TOO_EXPENSIVE",
    "COST_SPEC_URL",
    "EXPOSE_COST_HEADER",
    "MUTATION_BASE_COST",
    "CostModel",
    "DemandControl",
    "DemandControlConfig",
    "Estimate",
    "ListSize",
]

COST_ESTIMATED_TOO_EXPENSIVE = "COST_ESTIMATED_TOO_EXPENSIVE"
COST_SPEC_URL = "https://specs.apollo.dev/cost/"
MUTATION_BASE_COST = 10.0
# estimates remembered: per operation (plan cache key), per values of its slicing variables
_MEMO_OPERATIONS = 4096
_MEMO_VALUES_PER_OPERATION = 32
_UNSET = "<unset>"  # an unset variable is not a null one (the argument's default applies)
# a request header: ``true`` asks for ``extensions.cost`` in the response
EXPOSE_COST_HEADER = "x-expose-cost"


@dataclass(frozen=True, slots=True)
class ListSize:
    """One field's ``@listSize``."""

    assumed_size: int | None = None
    slicing_arguments: tuple[str, ...] = ()
    sized_fields: tuple[str, ...] = ()
    require_one_slicing_argument: bool = True


def _directive_names(schema: GraphQLSchema) -> tuple[str, str]:
    """The names ``@cost`` and ``@listSize`` have in this supergraph (its cost ``@link``)."""
    cost, list_size = "cost", "cost__listSize"
    for node in (schema.ast_node, *schema.extension_ast_nodes):
        for directive in (node.directives or ()) if node is not None else ():
            arguments = {
                a.name.value: value_from_ast_untyped(a.value) for a in directive.arguments or ()
            }
            url = str(arguments.get("url") or "")
            if directive.name.value != "link" or not url.startswith(COST_SPEC_URL):
                continue
            prefix = str(arguments.get("as") or "cost")
            cost, list_size = prefix, f"{prefix}__listSize"
            for item in arguments.get("import") or ():
                name, alias = (
                    (item, item)
                    if isinstance(item, str)
                    else (item["name"], item.get("as", item["name"]))
                )
                if name == "@cost":
                    cost = alias.lstrip("@")
                if name == "@listSize":
                    list_size = alias.lstrip("@")
    return cost, list_size


def _applied(node: Any, name: str) -> dict[str, Any] | None:
    for directive in getattr(node, "directives", None) or ():
        if directive.name.value == name:
            return {a.name.value: value_from_ast_untyped(a.value) for a in directive.arguments}
    return None


@dataclass(frozen=True, slots=True)
class CostModel:
    """The cost directives of one supergraph, read once (keys are type and field names)."""

    schema: GraphQLSchema
    type_weights: Mapping[str, float]
    field_weights: Mapping[tuple[str, str], float]
    argument_weights: Mapping[tuple[str, str], Mapping[str, float]]
    list_sizes: Mapping[tuple[str, str], ListSize]

    @classmethod
    def of(cls, schema: GraphQLSchema) -> CostModel:
        """Read from the supergraph ``schema`` (the API schema drops the directives)."""
        cost, list_size = _directive_names(schema)
        type_weights: dict[str, float] = {}
        field_weights: dict[tuple[str, str], float] = {}
        argument_weights: dict[tuple[str, str], dict[str, float]] = {}
        list_sizes: dict[tuple[str, str], ListSize] = {}
        for type_name, named in schema.type_map.items():
            applied = _applied(named.ast_node, cost)
            if applied is not None:
                type_weights[type_name] = float(applied["weight"])
            if not isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
                continue
            for field_name, definition in named.fields.items():
                key = (type_name, field_name)
                applied = _applied(definition.ast_node, cost)
                if applied is not None:
                    field_weights[key] = float(applied["weight"])
                for argument_name, argument in definition.args.items():
                    applied = _applied(argument.ast_node, cost)
                    if applied is not None:
                        argument_weights.setdefault(key, {})[argument_name] = float(
                            applied["weight"]
                        )
                applied = _applied(definition.ast_node, list_size)
                if applied is not None:
                    list_sizes[key] = ListSize(
                        applied.get("assumedSize"),
                        tuple(applied.get("slicingArguments") or ()),
                        tuple(applied.get("sizedFields") or ()),
                        applied.get("requireOneSlicingArgument", True) is not False,
                    )
        return cls(schema, type_weights, field_weights, argument_weights, list_sizes)


def _is_list(type_: GraphQLOutputType) -> bool:
    inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    return isinstance(inner, GraphQLList)


def _argument_value(
    field: Field,
    argument: GraphQLArgument,
    name: str,
    variables: Mapping[str, Any],
    read: set[str],
) -> Any:
    for node in field.arguments:
        if node.name.value == name:
            if isinstance(node.value, VariableNode):
                read.add(node.value.name.value)
            if isinstance(node.value, VariableNode) and node.value.name.value not in variables:
                break  # an unset variable: the argument's default, as in execution
            return value_from_ast(node.value, argument.type, dict(variables))
    if argument.ast_node is not None and argument.ast_node.default_value is not None:
        return value_from_ast(argument.ast_node.default_value, argument.type)
    return argument.default_value


class _Walk:
    """One cost computation: ``sizes`` is None for the estimate, and the actual lengths come
    from the response data otherwise."""

    def __init__(self, model: CostModel, variables: Mapping[str, Any], list_size: int) -> None:
        self.model = model
        self.variables = variables
        self.list_size = list_size
        self.slicing_errors: list[str] = []
        # the variables the estimate depends on (read by slicing arguments)
        self.variables_read: set[str] = set()

    def _definition(self, parent: str, name: str) -> GraphQLField | None:
        named = self.model.schema.type_map.get(parent)
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            found: GraphQLField | None = named.fields.get(name)
            return found
        return None

    def _weight(self, parent: str, field: Field) -> float:
        weight = self.model.field_weights.get((parent, field.name))
        if weight is not None:
            return weight
        weight = self.model.type_weights.get(field.type_name)
        if weight is not None:
            return weight
        return 1.0 if is_composite_type(get_named_type(field.type)) else 0.0

    def _arguments(self, parent: str, field: Field) -> float:
        weights = self.model.argument_weights.get((parent, field.name))
        if not weights:
            return 0.0
        given = {node.name.value for node in field.arguments}
        return sum(weight for name, weight in weights.items() if name in given)

    def _slice(self, parent: str, field: Field, definition: GraphQLField) -> int | None:
        """The list size ``@listSize`` gives this field occurrence (None: no directive)."""
        size = self.model.list_sizes.get((parent, field.name))
        if size is None:
            return None
        values = []
        for name in size.slicing_arguments:
            argument = definition.args.get(name)
            if argument is None:
                continue
            value = _argument_value(field, argument, name, self.variables, self.variables_read)
            if isinstance(value, int):
                values.append(value)
        if size.require_one_slicing_argument and size.slicing_arguments and len(values) != 1:
            self.slicing_errors.append(
                f"Exactly one slicing argument is required on {parent}.{field.name}, "
                f"but found {len(values)}"
            )
        if values:
            return max(0, max(values))
        return size.assumed_size if size.assumed_size is not None else self.list_size

    def estimate(
        self, parent: str, selections: tuple[Selection, ...], sized: Mapping[str, int]
    ) -> float:
        total = 0.0
        for selection in selections:
            if not isinstance(selection, Field):
                total += self.estimate(selection.type_condition, selection.selections, sized)
                continue
            field = selection
            definition = self._definition(parent, field.name)
            if definition is None:  # __typename and introspection
                continue
            size = self._slice(parent, field, definition)
            own = self.model.list_sizes.get((parent, field.name))
            children: Mapping[str, int] = {}
            count = 1
            if own is not None and own.sized_fields and size is not None:
                children = {name: size for name in own.sized_fields}
            elif _is_list(field.type):
                count = sized.get(field.name, size if size is not None else self.list_size)
            inner = self.estimate(field.type_name, field.selections, children)
            total += count * (self._weight(parent, field) + inner) + self._arguments(parent, field)
        return total

    def actual(self, parent: str, selections: tuple[Selection, ...], value: Any) -> float:
        if not isinstance(value, Mapping):
            return 0.0
        total = 0.0
        for selection in selections:
            if not isinstance(selection, Field):
                total += self.actual(selection.type_condition, selection.selections, value)
                continue
            field = selection
            if self._definition(parent, field.name) is None or field.response_key not in value:
                continue
            total += self._arguments(parent, field) + self._items(
                parent, field, value[field.response_key]
            )
        return total

    def _items(self, parent: str, field: Field, value: Any) -> float:
        if value is None:
            return 0.0
        if isinstance(value, list):
            return sum(self._items(parent, field, item) for item in value)
        return self._weight(parent, field) + self.actual(field.type_name, field.selections, value)


@dataclass(frozen=True, slots=True)
class Estimate:
    cost: float
    # ``requireOneSlicingArgument`` broken by the operation (Apollo refuses it)
    slicing_errors: tuple[str, ...] = ()
    # the variables whose values the estimate depends on
    variables_read: tuple[str, ...] = ()


class DemandControlConfig(BaseModel):
    """``router.yaml`` ``demand_control``: off unless ``enabled``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = False
    # ``measure`` computes costs only; ``enforce`` refuses estimates over ``max``
    mode: Literal["measure", "enforce"] = "measure"
    max: float = ConfigField(default=1000.0, gt=0)
    # the size of a list without ``@listSize`` (or without a usable one)
    list_size: int = ConfigField(default=10, ge=0)


class DemandControl:
    """Estimates and measures operation costs over one supergraph (``router.yaml``
    ``demand_control``); ``mode`` ``enforce`` refuses estimates over ``max``."""

    def __init__(
        self,
        supergraph_schema: GraphQLSchema,
        *,
        max_cost: float,
        mode: Literal["measure", "enforce"] = "measure",
        list_size: int = 10,
    ) -> None:
        self.model = CostModel.of(supergraph_schema)
        self._memo: dict[Hashable, tuple[tuple[str, ...], dict[tuple[Any, ...], Estimate]]] = {}
        self.max_cost = max_cost
        self.mode = mode
        self.list_size = list_size

    @classmethod
    def from_config(
        cls, config: DemandControlConfig, supergraph_schema: GraphQLSchema
    ) -> DemandControl | None:
        if not config.enabled:
            return None
        return cls(
            supergraph_schema, max_cost=config.max, mode=config.mode, list_size=config.list_size
        )

    def estimate(self, operation: NormalizedOperation, variables: Mapping[str, Any]) -> Estimate:
        walk = _Walk(self.model, variables, self.list_size)
        cost = walk.estimate(operation.root_type, operation.selections, {})
        if operation.kind is OperationKind.MUTATION:
            cost += MUTATION_BASE_COST
        return Estimate(cost, tuple(walk.slicing_errors), tuple(sorted(walk.variables_read)))

    def estimate_cached(
        self, key: Hashable, operation: NormalizedOperation, variables: Mapping[str, Any]
    ) -> Estimate:
        """:meth:`estimate`, remembered per ``key`` (what determines ``operation``: the
        plan cache's key) and the values of the variables it read. A cached operation's
        estimate then costs a lookup (the walk of the customer-360 query takes ~90 µs)."""
        memo = self._memo.get(key)
        if memo is not None:
            names, by_values = memo
            try:
                found = by_values.get(tuple(variables.get(name, _UNSET) for name in names))
            except TypeError:  # an unhashable value: not remembered
                return self.estimate(operation, variables)
            if found is not None:
                return found
        estimate = self.estimate(operation, variables)
        if memo is None:
            if len(self._memo) >= _MEMO_OPERATIONS:
                self._memo.clear()
            memo = self._memo[key] = (estimate.variables_read, {})
        names, by_values = memo
        if names == estimate.variables_read and len(by_values) < _MEMO_VALUES_PER_OPERATION:
            with contextlib.suppress(TypeError):
                by_values[tuple(variables.get(name, _UNSET) for name in names)] = estimate
        return estimate

    def actual(
        self, operation: NormalizedOperation, variables: Mapping[str, Any], data: Any
    ) -> float:
        walk = _Walk(self.model, variables, self.list_size)
        cost = walk.actual(operation.root_type, operation.selections, data)
        if operation.kind is OperationKind.MUTATION:
            cost += MUTATION_BASE_COST
        return cost

    def rejection(self, estimate: Estimate) -> dict[str, Any] | None:
        """The GraphQL error refusing ``estimate`` in ``enforce`` mode, else None."""
        if self.mode != "enforce":
            return None
        if estimate.slicing_errors:
            return {
                "message": estimate.slicing_errors[0],
                "extensions": {"code": "COST_QUERY_PARSE_FAILURE"},
            }
        if estimate.cost <= self.max_cost:
            return None
        return {
            "message": f"The estimated cost of this operation ({estimate.cost:g}) is over "
            f"the maximum ({self.max_cost:g}).",
            "extensions": {
                "code": "COST_ESTIMATED_TOO_EXPENSIVE",
                "cost.estimated": estimate.cost,
                "cost.max": self.max_cost,
            },
        }
