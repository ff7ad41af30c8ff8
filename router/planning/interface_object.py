"""Planning entity interfaces through subgraphs that know them as ``@interfaceObject``.

Such a subgraph holds the interface as one object type and none of its implementations: it
resolves the interface's fields it has but cannot tell an entity's concrete type. When the
client asks for ``__typename`` or selects fragments on other types, the entity goes to a
subgraph owning the interface (``_entities`` with the interface name as ``__typename``),
which answers the concrete ``__typename`` and plans those fragments as any abstract
selection there: ``... on I { __typename ... on A { a } }``, as Apollo Gateway does. Fields
the interface object adds to an implementation (``A.y``) go back to it keyed by the
implementation's data but selected ``... on I { y }``.

Representations sent to an interface-object subgraph carry the interface name as
``__typename`` (``representation_rules``). An entity planned with ``... on I`` inputs may
have got its concrete type from an earlier fetch by the time its fetch runs, so each
implementation is also matched to the interface's input fragment.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

from router.operation import Fragment, Selection, merge_selections
from router.plan import PlanFragment, PlanSelection
from router.planning.errors import PlanningError
from router.planning.fetch_graph import FetchGraph, FetchGroup
from router.planning.selection_builder import SelectionBuilder
from router.supergraph import FieldJoin, Supergraph

__all__ = ["entity_fragment", "plan_interface_object", "representation_rules"]

Path = tuple[str, ...]
ProvidedTree = Mapping[str, "ProvidedTree"]  # the builder's fields handed over by @provides


class _Planner(Protocol):
    @property
    def graph_order(self) -> dict[str, int]: ...


class _Builder(Protocol):
    """What this module needs of the plan builder (``router.planning.builder``)."""

    @property
    def supergraph(self) -> Supergraph: ...
    @property
    def graph(self) -> FetchGraph: ...
    @property
    def in_progress(self) -> set[tuple[str, tuple[str, ...], str]]: ...
    @property
    def planner(self) -> _Planner: ...

    def plan_fields(
        self,
        group: FetchGroup,
        builder: SelectionBuilder,
        type_name: str,
        fields: Iterable[Selection],
        path: Path,
        provided: ProvidedTree | None,
    ) -> set[FetchGroup]: ...

    def plan_selections(
        self,
        group: FetchGroup,
        builder: SelectionBuilder,
        type_name: str,
        selections: Iterable[Selection],
        path: Path,
        provided: ProvidedTree | None,
    ) -> set[FetchGroup]: ...

    def entity_group(
        self,
        group: FetchGroup,
        builder: SelectionBuilder,
        type_name: str,
        target: str,
        path: Path,
        provided: ProvidedTree | None,
    ) -> FetchGroup: ...


def _split(
    selections: Iterable[Selection], type_name: str
) -> tuple[list[Selection], list[Selection], bool]:
    """The selections the interface object can take (its fields, fragments on the interface
    itself), those needing the concrete type, and whether ``__typename`` is asked for."""
    own: list[Selection] = []
    rest: list[Selection] = []
    typename = False
    for selection in selections:
        if isinstance(selection, Fragment):
            if selection.type_condition == type_name:
                inner = _split(selection.selections, type_name)
                own.extend(inner[0])
                rest.extend(inner[1])
                typename = typename or inner[2]
            else:
                rest.append(selection)
        elif selection.name == "__typename":
            typename = True
        else:
            own.append(selection)
    return own, rest, typename


def plan_interface_object(
    planner: _Builder,
    group: FetchGroup,
    builder: SelectionBuilder,
    type_name: str,
    selections: Iterable[Selection],
    path: Path,
    provided: ProvidedTree | None,
) -> set[FetchGroup]:
    """Plan ``selections`` on the entity interface ``type_name`` reached in ``group``, whose
    subgraph knows it as an @interfaceObject."""
    own, rest, typename = _split(selections, type_name)
    touched = planner.plan_fields(group, builder, type_name, merge_selections(own), path, provided)
    if not rest and not typename:
        return touched
    owners = [
        g
        for g in planner.supergraph.interface_owners(type_name)
        if (g, path, type_name) not in planner.in_progress
    ]
    if not owners:
        raise PlanningError(
            f"no subgraph can tell the concrete type of {type_name} from {group.subgraph}"
        )
    owner = min(
        owners,
        key=lambda g: (
            planner.graph.existing_entity_group(g, path, group) is None,
            planner.planner.graph_order[g],
        ),
    )
    entity = planner.entity_group(group, builder, type_name, owner, path, provided)
    fragment = entity.selection.fragment(type_name)
    fragment.add_leaf(None, "__typename")  # the concrete type; client aliases read it
    if rest:
        touched |= planner.plan_selections(entity, fragment, type_name, rest, path, None)
    return touched | {entity}


def entity_fragment(
    supergraph: Supergraph, entity: FetchGroup, type_name: str, join: FieldJoin
) -> SelectionBuilder:
    """Where an entity fetch selects a field of ``type_name``: ``... on type_name``, or
    ``... on I`` when its subgraph knows the type only through the interface object ``I``.
    An interface entity fetched from an owner of the interface also gets its ``__typename``
    (the entity came from an interface object, which answered the interface name)."""
    condition = join.via_interface or type_name
    fragment = entity.selection.fragment(condition)
    if supergraph.is_abstract(condition) and not supergraph.is_interface_object(
        condition, entity.subgraph
    ):
        fragment.add_leaf(None, "__typename")
    return fragment


def representation_rules(
    supergraph: Supergraph, subgraph: str, inputs: tuple[PlanSelection, ...]
) -> tuple[dict[str, str], dict[str, str]]:
    """How an entity fetch to ``subgraph`` builds representations from its ``inputs``.

    Returns (runtime ``__typename`` -> the input fragment it uses, when not its own; input
    fragment -> the ``__typename`` to send, when not the data's).
    """
    conditions = [s.type_condition for s in inputs if isinstance(s, PlanFragment)]
    matches: dict[str, str] = {}
    rewrites: dict[str, str] = {}
    for condition in conditions:
        if supergraph.is_abstract(condition):
            for runtime in sorted(supergraph.possible_types.get(condition, ())):
                if runtime not in conditions:
                    matches.setdefault(runtime, condition)
            if supergraph.is_interface_object(condition, subgraph):
                rewrites[condition] = condition
            continue
        interface = supergraph.interface_object_of.get((condition, subgraph))
        if interface is not None:
            rewrites[condition] = interface
    return matches, rewrites
