"""Apollo Gateway's recorded query plans (``*.plan.json`` of the fleet corpus) as router plans.

An independent planner's plans are the best check that the plan coverage check accepts
correct plans (and flags Apollo's known wrong ones). ``Condition`` nodes are resolved with
the request's variables, as are ``@skip``/``@include`` inside fetch operations, since the
router plans per condition values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    BooleanValueNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    parse,
    print_ast,
)

from router.plan import (
    Fetch,
    Flatten,
    Parallel,
    PlanField,
    PlanFragment,
    PlanNode,
    PlanSelection,
    QueryPlan,
    Sequence,
    make_fetch,
)

__all__ = ["plan_from_apollo"]


def _included(node: Any, variables: Mapping[str, Any]) -> bool:
    for directive in node.directives or ():
        if directive.name.value not in ("skip", "include"):
            continue
        value = directive.arguments[0].value
        if isinstance(value, VariableNode):
            flag = bool(variables.get(value.name.value))
        else:
            flag = isinstance(value, BooleanValueNode) and value.value
        if flag == (directive.name.value == "skip"):
            return False
    return True


class _Operation:
    def __init__(self, text: str, variables: Mapping[str, Any]) -> None:
        document = parse(text)
        self.variables = variables
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
        self.selection_set = operation.selection_set

    def selections(self, selection_set: SelectionSetNode) -> tuple[PlanSelection, ...]:
        out: list[PlanSelection] = []
        for node in selection_set.selections:
            if not _included(node, self.variables):
                continue
            if isinstance(node, FieldNode):
                arguments = ", ".join(print_ast(a) for a in node.arguments or ())
                sub = self.selections(node.selection_set) if node.selection_set else ()
                alias = node.alias.value if node.alias else None
                out.append(
                    PlanField(alias, node.name.value, f"({arguments})" if arguments else "", sub)
                )
                continue
            if isinstance(node, FragmentSpreadNode):
                fragment = self.fragments[node.name.value]
                condition: str | None = fragment.type_condition.name.value
                inner = fragment.selection_set
            else:
                assert isinstance(node, InlineFragmentNode)
                condition = node.type_condition.name.value if node.type_condition else None
                inner = node.selection_set
            if condition is None:
                out.extend(self.selections(inner))
            else:
                out.append(PlanFragment(condition, self.selections(inner)))
        return tuple(out)


def _requires(items: list[Mapping[str, Any]]) -> tuple[PlanSelection, ...]:
    out: list[PlanSelection] = []
    for item in items:
        inner = _requires(item.get("selections") or [])
        if item["kind"] == "InlineFragment":
            out.append(PlanFragment(item["typeCondition"], inner))
        else:
            out.append(PlanField(item.get("alias"), item["name"], "", inner))
    return tuple(out)


def _fetch(node: Mapping[str, Any], variables: Mapping[str, Any]) -> Fetch:
    operation = _Operation(node["operation"], variables)
    selections = operation.selections(operation.selection_set)
    requires = _requires(node["requires"]) if "requires" in node else None
    if requires is not None:  # the selections of the ``_entities`` field
        (entities,) = selections
        assert isinstance(entities, PlanField) and entities.name == "_entities"
        selections = entities.selections
    fetch = make_fetch(node["serviceName"], selections, requires=requires)
    usages = tuple(node.get("variableUsages") or ())
    return Fetch(
        fetch.service_name,
        fetch.selections,
        node["operation"],
        usages,
        fetch.requires,
        fetch.requires_by_type,
    )


def _node(node: Mapping[str, Any], variables: Mapping[str, Any]) -> PlanNode | None:
    kind = node["kind"]
    if kind == "Fetch":
        return _fetch(node, variables)
    if kind == "Flatten":
        inner = _fetch(node["node"], variables)
        return Flatten(tuple(node["path"]), inner)
    if kind == "Condition":
        clause = "ifClause" if variables.get(node["condition"]) else "elseClause"
        branch = node.get(clause)
        return _node(branch, variables) if branch else None
    if kind not in ("Sequence", "Parallel"):
        raise ValueError(f"unsupported plan node {kind}")
    children = [_node(child, variables) for child in node["nodes"]]
    kept = tuple(child for child in children if child is not None)
    if not kept:
        return None
    if len(kept) == 1:
        return kept[0]
    return Sequence(kept) if kind == "Sequence" else Parallel(kept)


def plan_from_apollo(body: Mapping[str, Any], variables: Mapping[str, Any]) -> QueryPlan:
    """The router plan equivalent to Apollo's plan JSON, for these variable values."""
    node = body.get("node")
    return QueryPlan(_node(node, variables) if node else None)
