"""Query plan nodes (``Fetch | Sequence | Parallel | Flatten``) and their Apollo-style printer.

A plan is immutable and cached; execution reads everything it needs from it (the subgraph
operation text, the variables it uses, and for entity fetches the selection that builds the
``_entities`` representations).

A ``Flatten`` with ``branches`` is a merged entity fetch (Apollo has none; Hive Gateway does
the same): one ``_entities`` request whose representations come from several paths. It
prints as ``Flatten(paths: ["a.@", "b"])``; each path receives only the fields it asked for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

__all__ = [
    "Fetch",
    "Flatten",
    "FlattenBranch",
    "OutputRewrite",
    "Parallel",
    "PlanField",
    "PlanFragment",
    "PlanNode",
    "PlanSelection",
    "QueryPlan",
    "Sequence",
    "count_fetches",
    "count_waves",
    "format_plan",
    "make_fetch",
    "print_selections",
]


class PlanField(NamedTuple):
    alias: str | None
    name: str
    arguments: str  # printed, e.g. "(first: $first)", or ""
    selections: tuple[PlanSelection, ...]

    @property
    def response_key(self) -> str:
        return self.alias or self.name


class PlanFragment(NamedTuple):
    type_condition: str
    selections: tuple[PlanSelection, ...]


PlanSelection = PlanField | PlanFragment


class OutputRewrite(NamedTuple):
    """Rename the response key ``alias`` back to ``name`` in the objects at ``path`` of a
    fetch's answer (the root data, or each ``_entities`` element). ``path`` holds response
    keys (lists are walked through) and type conditions: the object types a fragment
    applies to, matched against ``__typename``."""

    path: tuple[str | frozenset[str], ...]
    alias: str
    name: str


@dataclass(frozen=True, slots=True)
class Fetch:
    service_name: str
    selections: tuple[PlanSelection, ...]
    operation: str
    variable_usages: tuple[str, ...] = ()
    # entity fetches only: the selection that builds each representation
    requires: tuple[PlanSelection, ...] | None = None
    # requires, indexed by the __typename it applies to
    requires_by_type: Mapping[str, tuple[PlanSelection, ...]] = field(default_factory=dict)
    # keys the planner aliased to keep the subgraph query valid, renamed back on arrival
    output_rewrites: tuple[OutputRewrite, ...] = ()
    # @interfaceObject: runtime __typename -> the (interface) requires fragment it uses, and
    # requires fragment -> the __typename its representations carry (the interface name)
    input_matches: Mapping[str, str] = field(default_factory=dict)
    typename_rewrites: Mapping[str, str] = field(default_factory=dict)

    def client_key(self, keys: tuple[str, ...], key: str) -> str:
        """The response key the client sees for ``key`` of the objects reached through the
        response keys ``keys`` of this fetch's answer (an output rewrite's name, else
        ``key``). The same alias can stand for different names at different places."""
        for rewrite in self.output_rewrites:
            if rewrite.alias == key and _keys_of(rewrite.path) == keys:
                return rewrite.name
        return key


def _keys_of(path: tuple[str | frozenset[str], ...]) -> tuple[str, ...]:
    return tuple(step for step in path if isinstance(step, str))


class FlattenBranch(NamedTuple):
    """One path of a merged ``Flatten`` and the part of the fetch's selections it asked for
    (None: all of them)."""

    path: tuple[str, ...]
    selections: tuple[PlanSelection, ...] | None


@dataclass(frozen=True, slots=True)
class Flatten:
    path: tuple[str, ...]
    node: Fetch
    # a merged fetch: every path it serves, ``path`` first; empty for a plain Flatten
    branches: tuple[FlattenBranch, ...] = ()

    @property
    def all_branches(self) -> tuple[FlattenBranch, ...]:
        return self.branches or (FlattenBranch(self.path, None),)


@dataclass(frozen=True, slots=True)
class Sequence:
    nodes: tuple[PlanNode, ...]


@dataclass(frozen=True, slots=True)
class Parallel:
    nodes: tuple[PlanNode, ...]


PlanNode = Fetch | Flatten | Sequence | Parallel


@dataclass(frozen=True, slots=True)
class QueryPlan:
    node: PlanNode | None


def print_selections(selections: tuple[PlanSelection, ...]) -> str:
    """Compact GraphQL text of a selection set, e.g. ``{a b{c}}``."""
    parts = []
    for selection in selections:
        if isinstance(selection, PlanFragment):
            parts.append(
                f"...on {selection.type_condition}{print_selections(selection.selections)}"
            )
            continue
        head = f"{selection.alias}:{selection.name}" if selection.alias else selection.name
        sub = print_selections(selection.selections) if selection.selections else ""
        parts.append(f"{head}{selection.arguments}{sub}")
    return "{" + " ".join(parts) + "}"


def make_fetch(
    service_name: str,
    selections: tuple[PlanSelection, ...],
    *,
    kind: str = "query",
    variable_definitions: tuple[str, ...] = (),
    variable_usages: tuple[str, ...] = (),
    requires: tuple[PlanSelection, ...] | None = None,
    output_rewrites: tuple[OutputRewrite, ...] = (),
) -> Fetch:
    """Build a fetch and the operation text sent to its subgraph."""
    definitions = list(variable_definitions)
    body = print_selections(selections)
    if requires is not None:
        definitions.insert(0, "$representations:[_Any!]!")
        body = "{_entities(representations:$representations)" + body + "}"
    header = (
        f"{kind}({','.join(definitions)})" if definitions else ("" if kind == "query" else kind)
    )
    by_type: dict[str, tuple[PlanSelection, ...]] = {}
    for fragment in requires or ():
        if isinstance(fragment, PlanFragment):
            by_type[fragment.type_condition] = by_type.get(fragment.type_condition, ()) + (
                fragment.selections
            )
    return Fetch(
        service_name=service_name,
        selections=selections,
        operation=header + body,
        variable_usages=variable_usages,
        requires=requires,
        requires_by_type=by_type,
        output_rewrites=output_rewrites,
    )


def count_fetches(node: PlanNode | None) -> int:
    if node is None:
        return 0
    if isinstance(node, Fetch):
        return 1
    if isinstance(node, Flatten):
        return 1
    return sum(count_fetches(child) for child in node.nodes)


def count_waves(node: PlanNode | None) -> int:
    """The longest chain of fetches that must run one after another."""
    if node is None:
        return 0
    if isinstance(node, Fetch | Flatten):
        return 1
    if isinstance(node, Sequence):
        return sum(count_waves(child) for child in node.nodes)
    return max((count_waves(child) for child in node.nodes), default=0)


def _pretty_selections(selections: tuple[PlanSelection, ...], indent: str) -> list[str]:
    lines = [indent + "{"]
    lines.extend(_pretty_items(selections, indent + "  "))
    lines.append(indent + "}")
    return lines


def _pretty_items(selections: tuple[PlanSelection, ...], indent: str) -> list[str]:
    lines: list[str] = []
    for selection in selections:
        if isinstance(selection, PlanFragment):
            head = f"... on {selection.type_condition}"
        else:
            name = f"{selection.alias}: {selection.name}" if selection.alias else selection.name
            head = name + selection.arguments
        if not selection.selections:
            lines.append(indent + head)
            continue
        lines.append(f"{indent}{head} {{")
        lines.extend(_pretty_items(selection.selections, indent + "  "))
        lines.append(indent + "}")
    return lines


def _pretty_node(node: PlanNode, indent: str) -> list[str]:
    inner = indent + "  "
    if isinstance(node, Fetch):
        lines = [f'{indent}Fetch(service: "{node.service_name}") {{']
        if node.requires is not None:
            lines.extend(_pretty_selections(node.requires, inner))
            lines[-1] += " =>"
        lines.extend(_pretty_selections(node.selections, inner))
        return [*lines, indent + "}"]
    if isinstance(node, Flatten):
        if node.branches:
            paths = ", ".join(f'"{".".join(b.path)}"' for b in node.branches)
            lines = [f"{indent}Flatten(paths: [{paths}]) {{"]
        else:
            lines = [f'{indent}Flatten(path: "{".".join(node.path)}") {{']
        lines.extend(_pretty_node(node.node, inner))
        lines[-1] += ","
        return [*lines, indent + "}"]
    lines = [f"{indent}{type(node).__name__} {{"]
    for child in node.nodes:
        lines.extend(_pretty_node(child, inner))
        lines[-1] += ","
    return [*lines, indent + "}"]


def format_plan(plan: QueryPlan) -> str:
    """Print a plan the way Apollo's ``prettyFormatQueryPlan`` does."""
    if plan.node is None:
        return "QueryPlan {\n}"
    lines = ["QueryPlan {", *_pretty_node(plan.node, "  ")]
    lines[-1] += ","
    return "\n".join([*lines, "}"])
