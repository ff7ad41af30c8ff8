"""Walk a normalized operation and fill a fetch dependency graph, then turn it into a plan.

Each field is planned in the group (subgraph request) that reached its parent object when
that subgraph resolves it (or was handed it through ``@provides``); otherwise it goes to an
``_entities`` group of a subgraph that resolves it, keyed by the parent's ``@key`` and fed
its ``@requires`` fields, both fetched first (recursively, so keys and requirements that the
current subgraph lacks come from further hops). Among several subgraphs (``@shareable``),
the choice avoids new requests first, then hops for keys, then hops below the field.
A field of a value type (no key) goes through its nearest ancestor another subgraph can
start from (``router.planning.ancestor_hops``). Abstract types are planned per runtime type
the subgraph's own field type can be (``router.planning.subgraph_types``). Keys,
``@requires`` fields and ``__typename`` that a client alias on the same object names
otherwise are fetched under internal aliases (``router.planning.internal_aliases``); one
response key with two types in a subgraph query gets an alias renamed back on arrival
(``router.planning.key_conflicts``). An entity interface
reached in a subgraph that knows it as an ``@interfaceObject`` is planned by
``router.planning.interface_object``.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
from collections.abc import Iterable, Mapping

from graphql import (
    ArgumentNode,
    FieldNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    parse,
    print_ast,
)
from graphql.language import Node

from router.operation import (
    Field,
    Fragment,
    NormalizedOperation,
    Selection,
    collect_fields,
    normalize_field_set,
)
from router.plan import (
    Flatten,
    OutputRewrite,
    PlanNode,
    PlanSelection,
    QueryPlan,
    count_fetches,
    count_waves,
    format_plan,
)
from router.planning.ancestor_hops import AncestorStep, plan_from_ancestor, reachable_graphs
from router.planning.coverage import check_plan_coverage, describe_gaps
from router.planning.errors import PlanningError
from router.planning.fetch_graph import FetchGraph, FetchGroup
from router.planning.interface_object import (
    entity_fragment,
    plan_interface_object,
    representation_rules,
)
from router.planning.internal_aliases import ClientFields, index_client_fields
from router.planning.key_conflicts import alias_conflicting_keys
from router.planning.merging import plan_merging_fetches
from router.planning.plan_tree import build_plan_node
from router.planning.search import Decisions, search
from router.planning.selection_builder import SelectionBuilder
from router.planning.subgraph_types import field_runtime_types, field_type_in, named_type
from router.request import OperationKind
from router.supergraph import FieldJoin, Key, Supergraph

__all__ = ["PlanningError", "ProvidedTree", "QueryPlanner"]

_log = logging.getLogger(__name__)

ProvidedTree = Mapping[str, "ProvidedTree"]
_COST_DEPTH = 3


def _provided_tree(fields: str) -> ProvidedTree:
    """``"author { name } title"`` -> ``{"author": {"name": {}}, "title": {}}``."""

    def walk(selection_set: SelectionSetNode | None) -> dict[str, ProvidedTree]:
        tree: dict[str, ProvidedTree] = {}
        for node in selection_set.selections if selection_set else ():
            if isinstance(node, FieldNode):
                tree[node.name.value] = walk(node.selection_set)
            elif isinstance(node, InlineFragmentNode):  # provided fields are known by name
                tree.update(walk(node.selection_set))
        return tree

    operation = parse("{" + fields + "}").definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    return walk(operation.selection_set)


def _variables_in(node: Node, found: dict[str, None]) -> None:
    if isinstance(node, VariableNode):
        found[node.name.value] = None
        return
    for key in node.keys:
        value = getattr(node, key, None)
        for child in value if isinstance(value, tuple | list) else (value,):
            if isinstance(child, Node):
                _variables_in(child, found)


def _copy_fields(builder: SelectionBuilder, selections: Iterable[Selection]) -> None:
    for selection in selections:
        if isinstance(selection, Fragment):
            _copy_fields(builder.fragment(selection.type_condition), selection.selections)
            continue
        alias = selection.response_key if selection.response_key != selection.name else None
        if selection.selections:
            _copy_fields(builder.add_composite(alias, selection.name), selection.selections)
        else:
            builder.add_leaf(alias, selection.name)


class QueryPlanner:
    """Plans normalized operations over one supergraph (caches derived field sets)."""

    def __init__(self, supergraph: Supergraph) -> None:
        self.supergraph = supergraph
        self.graph_order = {name: i for i, name in enumerate(sorted(supergraph.subgraphs))}
        self._field_sets: dict[tuple[str, str], tuple[Selection, ...]] = {}
        self._provided: dict[str, ProvidedTree] = {}

    def field_set(self, type_name: str, fields: str) -> tuple[Selection, ...]:
        key = (type_name, fields)
        if key not in self._field_sets:
            self._field_sets[key] = normalize_field_set(self.supergraph.schema, type_name, fields)
        return self._field_sets[key]

    def provided(self, fields: str) -> ProvidedTree:
        if fields not in self._provided:
            self._provided[fields] = _provided_tree(fields)
        return self._provided[fields]

    def plan(self, operation: NormalizedOperation) -> QueryPlan:
        """The cheapest plan over the planner's choices (``router.planning.search``) that
        delivers every selected field in a valid order (``router.planning.coverage``)."""
        client_fields = index_client_fields(
            operation.selections,
            operation.root_type,
            functools.partial(_collect, self.supergraph),
            self.supergraph.possible_types,
        )

        def build(decisions: Decisions) -> QueryPlan:
            plan = _PlanBuilder(self, operation, client_fields.fresh(), decisions).build()
            gaps = check_plan_coverage(operation, plan, self.supergraph)
            if gaps:  # a planner bug on this branch of the search: another may be right
                _log.debug("plan with coverage gaps dropped:\n%s", format_plan(plan))
                raise PlanningError(describe_gaps(gaps))
            return plan

        return search(build, _plan_cost)


def _plan_cost(plan: QueryPlan) -> tuple[int, int]:
    return count_fetches(plan.node), count_waves(plan.node)


def _collect(
    supergraph: Supergraph, selections: Iterable[Selection], type_name: str
) -> list[Field]:
    return collect_fields(selections, type_name, supergraph.possible_types)


class _PlanBuilder:
    def __init__(
        self,
        planner: QueryPlanner,
        operation: NormalizedOperation,
        client_fields: ClientFields,
        decisions: Decisions,
    ) -> None:
        self.planner = planner
        self.supergraph = planner.supergraph
        self.operation = operation
        self.graph = FetchGraph()
        # (subgraph, path, type) of entity hops whose keys are being planned: a key field
        # cannot come from the subgraph that needs it
        self.in_progress: set[tuple[str, tuple[str, ...], str]] = set()
        self.client_fields = client_fields
        self.decisions = decisions
        # root fetches of a query by subgraph; the composite fields being planned, outermost
        # first (router.planning.ancestor_hops reaches value-type fields through them)
        self.root_groups: dict[str, FetchGroup] = {}
        self.chain: list[AncestorStep] = []

    @property
    def operation_kind(self) -> OperationKind:
        return self.operation.kind

    @property
    def root_type(self) -> str:
        return self.operation.root_type

    def build(self) -> QueryPlan:
        mutation = self.operation.kind is OperationKind.MUTATION
        root = self.operation.root_type
        groups = self.root_groups
        last: FetchGroup | None = None
        for field in self.collect(self.operation.selections, root):
            if field.name.startswith("__"):  # __typename and introspection: the router answers
                continue
            graph = self.choose_root_graph(root, field, groups)
            if mutation:
                if last is None or last.subgraph != graph:
                    last = self.graph.root_group(graph)
                group = last
            else:
                if graph not in groups:
                    groups[graph] = self.graph.root_group(graph)
                group = groups[graph]
            self.plan_field(group, group.selection, root, field, (), None)
        return QueryPlan(self.plan_node(mutation))

    def plan_node(self, mutation: bool) -> PlanNode | None:
        kind = self.operation.kind.value
        definitions = dict(self.operation.variable_definitions)

        def to_node(group: FetchGroup) -> PlanNode:
            fetch = group.to_fetch(kind, definitions, self.alias_conflicts)
            if not group.is_entity:
                return fetch
            matches, rewrites = representation_rules(
                self.supergraph, group.subgraph, fetch.requires or ()
            )
            if matches or rewrites:
                fetch = dataclasses.replace(
                    fetch, input_matches=matches, typename_rewrites=rewrites
                )
            return Flatten(group.merge_at, fetch)

        groups = self.graph.groups
        if mutation:
            fetch_of = {group.id: to_node(group) for group in groups}
            return build_plan_node(groups, fetch_of, sequential_roots=True)
        return plan_merging_fetches(groups, to_node, self.supergraph)

    def alias_conflicts(
        self, group: FetchGroup, selections: tuple[PlanSelection, ...]
    ) -> tuple[tuple[PlanSelection, ...], tuple[OutputRewrite, ...]]:
        def type_of(parent: str, field_name: str) -> str:
            return field_type_in(self.supergraph, parent, field_name, group.subgraph)

        def runtime_types(condition: str) -> frozenset[str]:
            return frozenset(self.supergraph.runtime_types(condition, group.subgraph))

        parent = "_Entity" if group.is_entity else self.operation.root_type
        return alias_conflicting_keys(selections, parent, type_of, runtime_types)

    # -- selections ------------------------------------------------------------------------

    def collect(self, selections: Iterable[Selection], type_name: str) -> list[Field]:
        """The fields selected on an object of type ``type_name``, merged by response key."""
        return _collect(self.supergraph, selections, type_name)

    def plan_selections(
        self,
        group: FetchGroup,
        builder: SelectionBuilder,
        type_name: str,
        selections: Iterable[Selection],
        path: tuple[str, ...],
        provided: ProvidedTree | None,
        runtimes: tuple[str, ...] | None = None,
    ) -> set[FetchGroup]:
        """``runtimes``: the object types to plan for when ``type_name`` is abstract (by
        default, those it can be in the group's subgraph)."""
        if not self.supergraph.is_abstract(type_name):
            fields = self.collect(selections, type_name)
            return self.plan_fields(group, builder, type_name, fields, path, provided)
        if self.supergraph.is_interface_object(type_name, group.subgraph):
            return plan_interface_object(
                self, group, builder, type_name, selections, path, provided
            )
        builder.add_leaf(None, "__typename")
        touched = {group}
        if runtimes is None:
            runtimes = self.supergraph.runtime_types(type_name, group.subgraph)
        for runtime in runtimes:
            fields = self.collect(selections, runtime)
            if fields:
                fragment = builder.fragment(runtime)
                touched |= self.plan_fields(group, fragment, runtime, fields, path, provided)
        return touched

    def plan_fields(
        self,
        group: FetchGroup,
        builder: SelectionBuilder,
        type_name: str,
        fields: Iterable[Selection],
        path: tuple[str, ...],
        provided: ProvidedTree | None,
    ) -> set[FetchGroup]:
        touched: set[FetchGroup] = {group}
        for field in fields:
            if isinstance(field, Fragment):
                touched |= self.plan_selections(group, builder, type_name, (field,), path, provided)
                continue
            touched |= self.plan_field(group, builder, type_name, field, path, provided)
        return touched

    def plan_field(
        self,
        group: FetchGroup,
        builder: SelectionBuilder,
        type_name: str,
        field: Field,
        path: tuple[str, ...],
        provided: ProvidedTree | None,
    ) -> set[FetchGroup]:
        if field.name == "__typename":
            if type_name != self.operation.root_type:
                builder.add_leaf(None, "__typename")
            return {group}
        join = self.supergraph.field_join(type_name, field.name, group.subgraph)
        if (
            join is not None
            and self.resolvable(join, field.name, provided)
            and self.requirements_local(group.subgraph, type_name, join, provided)
        ):
            # the inputs are selected beside the field, as Apollo does
            touched = self.plan_fields(
                group, builder, type_name, self.required(path, type_name, join), path, provided
            )
            return touched | self.add_local(group, builder, type_name, field, path, join, provided)
        target = self.choose_graph(group, type_name, field, path, provided)
        if target is None:  # a value type: from an ancestor another subgraph can start from
            hopped = plan_from_ancestor(self, group, type_name, field, path)
            if hopped is None:
                raise PlanningError(
                    f"no subgraph can resolve {type_name}.{field.name} from {group.subgraph}"
                )
            return hopped
        target_join = self.supergraph.field_join(type_name, field.name, target)
        assert target_join is not None
        required = self.required(path, type_name, target_join)
        entity = self.entity_group(group, builder, type_name, target, path, provided, required)
        fragment = entity_fragment(self.supergraph, entity, type_name, target_join)
        touched = self.add_local(entity, fragment, type_name, field, path, target_join, None)
        return touched | {entity}

    def required(
        self, path: tuple[str, ...], type_name: str, join: FieldJoin
    ) -> tuple[Selection, ...]:
        """A field's ``@requires`` field set, under internal aliases where needed."""
        if not join.requires:
            return ()
        fields = self.planner.field_set(type_name, join.requires)
        return self.client_fields.own_fields(path, type_name, fields)

    @staticmethod
    def resolvable(join: FieldJoin, name: str, provided: ProvidedTree | None) -> bool:
        return join.resolves or (provided is not None and name in provided)

    def requirements_local(
        self, graph: str, type_name: str, join: FieldJoin, provided: ProvidedTree | None
    ) -> bool:
        """Whether a field's ``@requires`` inputs come with the object in this fetch (only
        when the subgraph resolves them itself there, e.g. through ``@provides``). Otherwise
        the field needs an ``_entities`` call back into its subgraph with the inputs fetched
        from their owners first, even when the object came from that same subgraph."""
        if not join.requires:
            return True
        required = self.planner.field_set(type_name, join.requires)
        return self.all_local(graph, type_name, required, provided)

    def add_local(
        self,
        group: FetchGroup,
        builder: SelectionBuilder,
        type_name: str,
        field: Field,
        path: tuple[str, ...],
        join: FieldJoin,
        provided: ProvidedTree | None,
    ) -> set[FetchGroup]:
        alias = field.response_key if field.response_key != field.name else None
        arguments = self.arguments(group, field.arguments)
        if field.is_leaf:
            builder.add_leaf(alias, field.name, arguments)
            return {group}
        child = builder.add_composite(alias, field.name, arguments)  # empty: gets __typename
        if join.resolves:
            inner = self.planner.provided(join.provides) if join.provides else None
        else:
            inner = provided[field.name] if provided is not None else None
        below = path + field.path_suffix
        abstract = self.supergraph.is_abstract(field.type_name)
        runtimes = self.field_runtime_types(group, type_name, field, path) if abstract else ()
        self.chain.append(AncestorStep(group, builder, type_name, field, path, provided))
        try:
            if not abstract:
                return self.plan_selections(
                    group, child, field.type_name, field.selections, below, inner
                )
            own = named_type(field_type_in(self.supergraph, type_name, field.name, group.subgraph))
            if own and not self.supergraph.is_abstract(own):  # an object in this subgraph
                child.add_leaf(None, "__typename")
                if own not in runtimes:
                    return {group}
                return self.plan_selections(group, child, own, field.selections, below, inner)
            return self.plan_selections(
                group, child, field.type_name, field.selections, below, inner, runtimes
            )
        finally:
            self.chain.pop()

    def field_runtime_types(
        self, group: FetchGroup, type_name: str, field: Field, path: tuple[str, ...]
    ) -> tuple[str, ...]:
        """The object types to plan below ``field`` (router.planning.subgraph_types): those
        of its type in the group's subgraph that every subgraph which could have resolved
        it here can return too (from the root, a key, or an ancestor)."""
        alternatives = reachable_graphs(self, group, type_name, field.name, path)
        return field_runtime_types(
            self.supergraph, type_name, field.name, field.type_name, group.subgraph, alternatives
        )

    @staticmethod
    def arguments(group: FetchGroup, arguments: tuple[ArgumentNode, ...]) -> str:
        if not arguments:
            return ""
        for argument in arguments:
            _variables_in(argument.value, group.variables)
        return "(" + ", ".join(print_ast(a) for a in arguments) + ")"

    # -- choosing subgraphs and keys -------------------------------------------------------

    def choose_root_graph(self, root: str, field: Field, groups: Mapping[str, FetchGroup]) -> str:
        candidates = self.supergraph.resolving_graphs(root, field.name)
        if not candidates:
            raise PlanningError(f"no subgraph resolves {root}.{field.name}")
        ordered = sorted(
            candidates,
            key=lambda g: (
                g not in groups,
                self.remote_cost(g, field.type_name, field.selections, _COST_DEPTH),
                self.planner.graph_order[g],
            ),
        )
        return self.decisions.pick(("root", field.response_key), ordered)

    def choose_graph(
        self,
        group: FetchGroup,
        type_name: str,
        field: Field,
        path: tuple[str, ...],
        provided: ProvidedTree | None,
    ) -> str | None:
        """The subgraph of the ``_entities`` hop for ``field``; None when no subgraph that
        resolves it has a key for ``type_name``."""
        candidates = [
            g
            for g in self.supergraph.resolving_graphs(type_name, field.name)
            if any(k.resolvable for k in self.supergraph.keys_in(type_name, g))
            and (g, path, type_name) not in self.in_progress
        ]
        if not candidates:
            return None
        ordered = sorted(
            candidates,
            key=lambda g: (
                self.graph.existing_entity_group(g, path, group) is None,
                self.local_key(group.subgraph, type_name, g, provided) is None,
                self.remote_cost(g, field.type_name, field.selections, _COST_DEPTH),
                self.planner.graph_order[g],
            ),
        )
        choice = ("field", group.subgraph, path, type_name, field.response_key)
        return self.decisions.pick(choice, ordered)

    def remote_cost(
        self, graph: str, type_name: str, selections: Iterable[Selection], depth: int
    ) -> int:
        """How many fields below a field ``graph`` cannot resolve (a hop estimate)."""
        if depth == 0:
            return 0
        cost = 0
        for runtime in self.supergraph.runtime_types(type_name, graph):
            for field in self.collect(selections, runtime):
                if field.name.startswith("__"):
                    continue
                join = self.supergraph.field_join(runtime, field.name, graph)
                if join is None or not join.resolves:
                    cost += 1
                elif field.selections:
                    cost += self.remote_cost(graph, field.type_name, field.selections, depth - 1)
        return cost

    def local_key(
        self, graph: str, type_name: str, target: str, provided: ProvidedTree | None
    ) -> Key | None:
        for key in self.supergraph.keys_in(type_name, target):
            fields = self.planner.field_set(type_name, key.fields)
            if key.resolvable and self.all_local(graph, type_name, fields, provided):
                return key
        return None

    def all_local(
        self,
        graph: str,
        type_name: str,
        selections: Iterable[Selection],
        provided: ProvidedTree | None,
    ) -> bool:
        for field in self.collect(selections, type_name):
            join = self.supergraph.field_join(type_name, field.name, graph)
            if join is None or not self.resolvable(join, field.name, provided):
                return False
            inner = provided.get(field.name) if provided is not None else None
            if field.selections and not self.all_local(
                graph, field.type_name, field.selections, inner
            ):
                return False
        return True

    def entity_group(
        self,
        group: FetchGroup,
        builder: SelectionBuilder,
        type_name: str,
        target: str,
        path: tuple[str, ...],
        provided: ProvidedTree | None,
        required: tuple[Selection, ...] = (),
    ) -> FetchGroup:
        """The ``_entities`` group for ``target`` at ``path``, with the key and the
        ``required`` fields (a ``@requires`` field set) fetched first. An existing group
        takes them only if its representations can carry them and no group fetching them
        depends on it; otherwise the plan re-enters the subgraph (a -> b -> a -> b)."""
        keys = [k for k in self.supergraph.keys_in(type_name, target) if k.resolvable]
        local = self.local_key(group.subgraph, type_name, target, provided)
        ordered = ([local] if local else []) + [k for k in keys if k is not local]
        key = self.decisions.pick(("key", group.subgraph, target, path, type_name), ordered)
        guard = (target, path, type_name)
        if guard in self.in_progress:
            raise PlanningError(f"no way to reach {type_name} in {target} from {group.subgraph}")
        self.in_progress.add(guard)
        try:
            key_fields = self.client_fields.own_fields(
                path, type_name, self.planner.field_set(type_name, key.fields)
            )
            typename_alias = self.client_fields.typename_alias(path, type_name)
            builder.add_leaf(typename_alias, "__typename")
            touched = self.plan_fields(group, builder, type_name, key_fields, path, provided)
        finally:
            self.in_progress.discard(guard)
        touched |= self.plan_fields(group, builder, type_name, required, path, provided)
        wanted = SelectionBuilder()
        _copy_fields(wanted.fragment(type_name), required)
        sources = touched - {group}
        entity = self.graph.entity_group(
            target,
            path,
            group,
            lambda g: g.inputs.fits_representation(wanted) and not self.graph.precedes(g, sources),
        )
        entity.parents |= {g.id for g in touched if g is not entity}
        inputs = entity.inputs.fragment(type_name)
        inputs.add_leaf(typename_alias, "__typename")
        _copy_fields(inputs, key_fields)
        _copy_fields(inputs, required)
        return entity
