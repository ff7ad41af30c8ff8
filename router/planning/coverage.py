"""Plan coverage: a static check that a query plan can answer every field the client selected.

Planner bugs show up as wrong data, not as errors: a field the plan never fetches comes back
``null``, and an entity fetch that runs before (or alongside) the fetch of its key or
``@requires`` fields sends no representations, so its fields are ``null`` too. This check
runs once per plan (plans are cached) and looks for both:

- **coverage**: for every response path and every runtime type the plan can produce there,
  every field the client selected on that type (after ``@skip``/``@include``, which the
  normalized operation has applied) is fetched at that path, for that type, with the
  client's name and arguments, by some fetch: a root ``Fetch`` or a ``Flatten`` branch
  (a merged ``Flatten`` branch with its own selections fetches only those). Fields the
  router answers itself (``__typename``, introspection) are skipped, except that an object
  of an abstract type must be fetched with its ``__typename`` (shaping reads it to apply
  type conditions);
- **order**: every field an entity fetch reads into its representations (``requires``: key
  fields, ``@requires`` inputs and ``__typename``) at each of its paths is fetched by a
  fetch that runs *before* it: an earlier child of a ``Sequence`` that both are in, never a
  sibling in the same ``Parallel``;
- **one field per response key**: two fetches must not put different fields (or
  arguments) under one response key of the same objects, or one overwrites the other.

Paths are compared without the ``@`` list markers: a response key path names the same
objects whatever its list levels, which the schema fixes.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from graphql import GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, print_ast

from router.operation import Field, NormalizedOperation, Selection, collect_fields
from router.plan import (
    Fetch,
    Flatten,
    PlanField,
    PlanFragment,
    PlanNode,
    PlanSelection,
    QueryPlan,
    Sequence,
)
from router.planning.subgraph_types import field_runtime_types
from router.supergraph import Supergraph

__all__ = ["CoverageGap", "check_plan_coverage", "describe_gaps"]

_Keys = tuple[str, ...]  # a response path without the "@" list markers
_Position = tuple[tuple[bool, int], ...]  # (container is a Sequence, child index) per level


@dataclass(frozen=True, slots=True)
class CoverageGap:
    """One field a plan cannot deliver: at ``path`` (response keys, ``@`` per list level),
    on an object of type ``type_name``, the field with response key ``field``."""

    path: tuple[str, ...]
    type_name: str
    field: str
    reason: str

    def __str__(self) -> str:
        where = ".".join(self.path) or "<root>"
        return f"{where} ({self.type_name}) {self.field}: {self.reason}"


class _Site(NamedTuple):
    """A fetch of the plan and where it sits in the plan's Sequence/Parallel tree."""

    node: Fetch | Flatten
    position: _Position

    @property
    def service(self) -> str:
        return (
            self.node.service_name if isinstance(self.node, Fetch) else self.node.node.service_name
        )

    def runs_before(self, other: _Site) -> bool:
        """Whether this fetch has finished when ``other`` starts."""
        for (sequence, mine), (_, theirs) in zip(self.position, other.position, strict=False):
            if mine != theirs:
                return sequence and mine < theirs
        return False


class _Fetched(NamedTuple):
    """One field a fetch brings at a response path, and for which object types."""

    name: str
    arguments: str
    types: frozenset[str]
    site: _Site
    path: tuple[str, ...]  # where: response keys, "@" per list level


def _strip(path: Iterable[str]) -> _Keys:
    return tuple(key for key in path if key != "@")


def _sites(node: PlanNode | None, position: _Position = ()) -> Iterable[_Site]:
    if node is None:
        return
    if isinstance(node, Fetch | Flatten):
        yield _Site(node, position)
        return
    sequence = isinstance(node, Sequence)
    for index, child in enumerate(node.nodes):
        yield from _sites(child, (*position, (sequence, index)))


@functools.lru_cache(maxsize=16)
def _object_types(schema: GraphQLSchema) -> frozenset[str]:
    return frozenset(
        name
        for name, named in schema.type_map.items()
        if isinstance(named, GraphQLObjectType) and not name.startswith("__")
    )


@functools.lru_cache(maxsize=4096)
def _field_type(
    schema: GraphQLSchema, parent: str, name: str
) -> tuple[str | None, tuple[str, ...]]:
    """The named type of ``parent.name`` and its list markers (``("@",)`` per level)."""
    definition = getattr(schema.get_type(parent), "fields", {}).get(name)
    if definition is None:
        return None, ()
    inner, lists = definition.type, []
    while isinstance(inner, GraphQLList | GraphQLNonNull):
        if isinstance(inner, GraphQLList):
            lists.append("@")
        inner = inner.of_type
    return str(inner.name), tuple(lists)


def _printed_arguments(field: Field) -> str:
    if not field.arguments:
        return ""
    return "(" + ", ".join(print_ast(argument) for argument in field.arguments) + ")"


class _Checker:
    def __init__(self, supergraph: Supergraph, operation: NormalizedOperation) -> None:
        self.supergraph = supergraph
        self.operation = operation
        self.schema = supergraph.schema
        # every type an object can be fetched as: the object types, and the interfaces that
        # some subgraph knows as an @interfaceObject (it answers with the interface's name)
        self.all_objects = _object_types(self.schema) | frozenset(
            name for name, join in supergraph.types.items() if join.interface_object_graphs
        )
        self.fetched: dict[tuple[_Keys, str], list[_Fetched]] = {}
        self.reachable: dict[_Keys, set[str]] = {}
        self.gaps: list[CoverageGap] = []
        self.fetch: Fetch | None = None

    # -- what the plan fetches --------------------------------------------------------------

    def index(self, plan: QueryPlan) -> list[_Site]:
        sites = list(_sites(plan.node))
        root = frozenset({self.operation.root_type})
        for site in sites:
            fetch = site.node if isinstance(site.node, Fetch) else site.node.node
            # fields a subgraph query aliases (two types under one key) and execution renames
            self.fetch = fetch
            if isinstance(site.node, Fetch):
                self.record(site.node.selections, self.operation.root_type, root, (), site)
                continue
            for branch in site.node.all_branches:
                selections = site.node.node.selections
                if branch.selections is not None:
                    selections = branch.selections
                self.record(selections, None, self.all_objects, branch.path, site)
        return sites

    def possible(self, type_name: str) -> frozenset[str]:
        return frozenset(self.supergraph.runtime_types(type_name))

    def field_type(self, parent: str | None, name: str) -> tuple[str | None, tuple[str, ...]]:
        return _field_type(self.schema, parent, name) if parent is not None else (None, ())

    def record(
        self,
        selections: tuple[PlanSelection, ...],
        parent: str | None,
        types: frozenset[str],
        path: tuple[str, ...],
        site: _Site,
        within: tuple[str, ...] = (),
    ) -> None:
        """``within``: the response keys from the fetch's answer down to ``selections``."""
        keys = _strip(path)
        for selection in selections:
            if isinstance(selection, PlanFragment):
                condition = selection.type_condition
                narrowed = types & (self.possible(condition) | {condition})
                self.record(selection.selections, condition, narrowed, path, site, within)
                continue
            fetched = _Fetched(selection.name, selection.arguments, types, site, path)
            response_key = selection.response_key
            if self.fetch is not None:
                response_key = self.fetch.client_key(within, response_key)
            self.fetched.setdefault((keys, response_key), []).append(fetched)
            if not selection.selections:
                continue
            child, lists = self.field_type(parent, selection.name)
            child_types = self.all_objects
            if child is not None and self.supergraph.is_interface_object(child, site.service):
                child_types = frozenset({child})  # the subgraph knows no implementation
            elif child is not None and parent is not None:
                # what this subgraph's own type can be, and (a @shareable field answers the
                # same everywhere) what every other subgraph resolving the field can return
                others = self.supergraph.resolving_graphs(parent, selection.name)
                child_types = frozenset(
                    field_runtime_types(
                        self.supergraph, parent, selection.name, child, site.service, others
                    )
                )
            self.reachable.setdefault((*keys, response_key), set()).update(child_types)
            below = (*path, response_key, *lists)
            inside = (*within, selection.response_key)
            self.record(selection.selections, child, child_types, below, site, inside)

    def check_conflicts(self) -> None:
        """Two fields under one response key of the same objects overwrite each other."""
        for (_, key), fetched in self.fetched.items():
            first = fetched[0]
            for other in fetched[1:]:
                types = first.types & other.types
                if types and (first.name, first.arguments) != (other.name, other.arguments):
                    reason = (
                        f"the response key holds both {first.name}{first.arguments} "
                        f"({first.site.service}) and {other.name}{other.arguments} "
                        f"({other.site.service})"
                    )
                    self.gaps.append(CoverageGap(first.path, "|".join(sorted(types)), key, reason))
                    break

    # -- what the client selected -----------------------------------------------------------

    def collect(self, selections: Iterable[Selection], type_name: str) -> list[Field]:
        return collect_fields(selections, type_name, self.supergraph.possible_types)

    def check_client(
        self, selections: tuple[Selection, ...], types: Iterable[str], path: tuple[str, ...]
    ) -> None:
        keys = _strip(path)
        children: dict[str, list[Field]] = {}
        for runtime in sorted(types):
            for field in self.collect(selections, runtime):
                if field.name.startswith("__"):
                    continue
                if self.check_field(field, runtime, path, keys) and field.selections:
                    children.setdefault(field.response_key, []).append(field)
        for fields in children.values():
            first = fields[0]
            below = path + first.path_suffix
            reachable = self.reachable.get(_strip(below), set())
            possible = self.supergraph.possible_types.get(first.type_name, {first.type_name})
            checked = reachable & possible
            if self.supergraph.is_abstract(first.type_name) and checked:
                self.check_typename(below, first)
            if not checked:  # fetched from an @interfaceObject only: as the interface itself
                checked = reachable & {first.type_name}
            merged = tuple(s for field in fields for s in field.selections)
            self.check_client(merged, sorted(checked), below)

    def check_field(self, field: Field, runtime: str, path: tuple[str, ...], keys: _Keys) -> bool:
        candidates = self.fetched.get((keys, field.response_key), [])
        arguments = _printed_arguments(field)
        same = [c for c in candidates if c.name == field.name and runtime in c.types]
        if same and any(c.arguments == arguments for c in same):
            return True
        if same:
            reason = f"fetched with arguments {same[0].arguments or '()'}, not {arguments or '()'}"
        elif any(c.name == field.name for c in candidates):
            reason = f"{field.name} is fetched for other types than {runtime}"
        elif candidates:
            reason = f"the response key holds {candidates[0].name}, not {field.name}"
        else:
            reason = f"no fetch selects {field.name} here"
        self.gaps.append(CoverageGap(path, runtime, field.response_key, reason))
        return bool(same)

    def check_typename(self, path: tuple[str, ...], field: Field) -> None:
        candidates = self.fetched.get((_strip(path), "__typename"), [])
        if not any(c.name == "__typename" for c in candidates):
            reason = "an object of an abstract type is fetched without its __typename"
            self.gaps.append(CoverageGap(path, field.type_name, "__typename", reason))

    # -- dependency order -------------------------------------------------------------------

    def check_order(self, site: _Site) -> None:
        flatten = site.node
        if not isinstance(flatten, Flatten):
            return
        for branch in flatten.all_branches:
            for fragment in flatten.node.requires or ():
                if isinstance(fragment, PlanFragment):
                    # the interface itself too: an @interfaceObject fetched it as an object
                    types = self.possible(fragment.type_condition) | {fragment.type_condition}
                    self.check_inputs(fragment.selections, types, branch.path, site)

    @staticmethod
    def any_typename(site: _Site) -> bool:
        """Whether the fetch sends an interface's name for every ``__typename`` it reads
        (an @interfaceObject): any value fetched before will do, the concrete one or not."""
        return isinstance(site.node, Flatten) and bool(site.node.node.typename_rewrites)

    def check_inputs(
        self,
        selections: tuple[PlanSelection, ...],
        types: frozenset[str],
        path: tuple[str, ...],
        site: _Site,
    ) -> None:
        keys = _strip(path)
        for selection in selections:
            if isinstance(selection, PlanFragment):
                condition = selection.type_condition
                narrowed = types & (self.possible(condition) | {condition})
                self.check_inputs(selection.selections, narrowed, path, site)
                continue
            found = [
                c
                for c in self.fetched.get((keys, selection.response_key), [])
                if c.name == selection.name and c.types & types and c.site is not site
            ]
            needed = types & frozenset().union(*(c.types for c in found))
            ready = frozenset().union(*(c.types for c in found if c.site.runs_before(site)))
            if selection.name == "__typename" and ready and self.any_typename(site):
                continue
            if not found or needed - ready:
                self.gaps.append(self.order_gap(selection, path, site, found, types))
            elif selection.selections:
                below = (*path, selection.response_key)
                self.check_inputs(selection.selections, self.all_objects, below, site)

    def order_gap(
        self,
        selection: PlanField,
        path: tuple[str, ...],
        site: _Site,
        found: list[_Fetched],
        types: frozenset[str],
    ) -> CoverageGap:
        reader = f"the entity fetch to {site.service} at {'.'.join(path)} reads it"
        if not found:
            reason = f"{reader}, but no fetch selects it"
        else:
            services = ", ".join(sorted({c.site.service for c in found}))
            reason = f"{reader} before it is fetched (by {services}; not in an earlier step)"
        return CoverageGap(path, "|".join(sorted(types)), selection.response_key, reason)


def describe_gaps(gaps: list[CoverageGap]) -> str:
    """The client's message for a plan with ``gaps`` (the first, and how many more)."""
    more = f" (and {len(gaps) - 1} more)" if len(gaps) > 1 else ""
    return f"The query plan cannot deliver every selected field: {gaps[0]}{more}"


def check_plan_coverage(
    operation: NormalizedOperation, plan: QueryPlan, supergraph: Supergraph
) -> list[CoverageGap]:
    """Every way ``plan`` fails to deliver the fields ``operation`` selects (empty: none)."""
    checker = _Checker(supergraph, operation)
    sites = checker.index(plan)
    root = operation.root_type
    checker.check_conflicts()
    checker.check_client(operation.selections, (root,), ())
    for site in sites:
        checker.check_order(site)
    return checker.gaps
