"""Stage 5, satisfiability: every query a client can write is resolvable by the subgraphs.

A simplified form of Apollo's ``validateGraphComposition``: walk the supergraph API from
each root, keeping for every supergraph path the subgraph paths that can follow it
(``Position``: a subgraph, its own type there, what a ``@provides`` on the way added). A
field is followed by each position that resolves it directly (or through a provision) and
by each subgraph reachable by ``@key`` jumps that resolves it (``subgraph_view``); a
downcast keeps the positions whose type can be that runtime type. A field no position can
follow is a ``SATISFIABILITY_ERROR``. A top-level mutation field several subgraphs define is
followed in each of them separately (``mutations``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from graphql import GraphQLInterfaceType, GraphQLObjectType, GraphQLUnionType, get_named_type

from ..errors import CompositionError, error
from ..expand import Subgraph
from ..merge.model import MergedField, MergedType, Supergraph
from ..metadata import Metadata, argument_value
from .mutations import MutationErrors
from .position import Position
from .provides import Provided, covers, merge_provided, parse_provided
from .reasons import why_not
from .runtime_types import mismatched_runtime_types
from .subgraph_view import SubgraphView
from .witness import Cast, Step, field_step, witness

__all__ = ["validate_satisfiability"]

OPERATIONS = ("query", "mutation", "subscription")


@dataclass(frozen=True, slots=True)
class _State:
    """The supergraph path ``path`` (at ``type_name``) and the subgraph paths following it;
    ``mutation`` is the (top-level mutation field, subgraph) this part of the walk is in."""

    type_name: str
    positions: tuple[Position, ...]
    operation: str
    path: tuple[Step, ...] = ()
    mutation: tuple[str, str] | None = None

    def origins(self) -> frozenset[int]:
        return frozenset(p.subgraph for p in self.positions)

    def visit(self) -> frozenset[tuple[int, str]]:
        """What Apollo's ``canSkipVisit`` compares (provisions left out, as there)."""
        return frozenset((p.subgraph, p.type_name) for p in self.positions)


class _Traversal:
    def __init__(self, view: SubgraphView) -> None:
        self.view = view
        self.errors: dict[tuple[str, str, frozenset[int]], CompositionError] = {}
        self.mutations = MutationErrors()
        self.visits: dict[str, list[frozenset[tuple[int, str]]]] = {}

    def walk(self) -> list[CompositionError]:
        """Depth first, the last field first, as Apollo's validation pops its stack (this
        decides which query of several witnesses a failure)."""
        stack = [
            _State(root, tuple(self.root_positions(root)), operation)
            for operation in OPERATIONS
            if (root := self.view.supergraph.roots.get(operation)) is not None
        ]
        while stack:
            state = stack.pop()
            if not self.visited(state):
                stack.extend(self.next_states(state))
        return [*self.errors.values(), *self.mutations.errors()]

    def root_positions(self, root: str) -> list[Position]:
        subgraphs = self.view.subgraphs
        return [
            Position(i, root) for i in range(len(subgraphs)) if subgraphs[i].schema.get_type(root)
        ]

    def visited(self, state: _State) -> bool:
        """A state whose subgraph paths include those of an earlier visit of its type can
        only succeed where that visit did."""
        current = state.visit()
        previous = self.visits.setdefault(state.type_name, [])
        if any(earlier <= current for earlier in previous):
            return True
        previous.append(current)
        return False

    def next_states(self, state: _State) -> list[_State]:
        merged = self.view.supergraph.types.get(state.type_name)
        if merged is None:
            return []
        if merged.kind == "object":
            return [
                next_state
                for field in merged.fields.values()
                if not _inaccessible(field.directives)
                for next_state in self.field_states(state, merged, field)
            ]
        return [
            next_state
            for runtime_type in self.runtime_types(merged)
            if (next_state := self.cast_state(state, merged, runtime_type)) is not None
        ]

    def runtime_types(self, merged: MergedType) -> list[str]:
        types = self.view.supergraph.types
        names = (
            merged.members
            if merged.kind == "union"
            else [
                t.name for t in types.values() if t.kind == "object" and merged.name in t.interfaces
            ]
        )
        return [n for n in names if n in types and not _inaccessible(types[n].directives)]

    def field_states(self, state: _State, merged: MergedType, field: MergedField) -> list[_State]:
        positions = self.follow(state, field.name)
        if not positions:
            self.report(state, field)
            return []
        path = (*state.path, field_step(field, self.view.supergraph))
        mismatch = mismatched_runtime_types(
            self.view, state.operation, path, merged, field, positions
        )
        if mismatch is not None:
            self.errors.setdefault(
                (mismatch.code, mismatch.coordinates[0], frozenset(p.subgraph for p in positions)),
                mismatch,
            )
            return []
        target = get_named_type(field.type) if field.type is not None else None
        if target is None or self.view.supergraph.types.get(target.name) is None:
            return []
        if self.view.supergraph.types[target.name].kind not in ("object", "interface", "union"):
            return []
        subgraphs = list(dict.fromkeys(p.subgraph for p in positions))
        if state.operation == "mutation" and not state.path and len(subgraphs) > 1:
            coordinate = f"{merged.name}.{field.name}"
            names = [self.view.subgraphs[i].name for i in subgraphs]
            self.mutations.split(coordinate, names)
            return [
                _State(
                    target.name,
                    tuple(p for p in positions if p.subgraph == i),
                    state.operation,
                    path,
                    (coordinate, self.view.subgraphs[i].name),
                )
                for i in subgraphs
            ]
        return [_State(target.name, positions, state.operation, path, state.mutation)]

    def follow(self, state: _State, field: str) -> tuple[Position, ...]:
        """The positions after ``field``: each subgraph resolving it from where the state
        stands (a provision of the position, the subgraph itself, a key jump away)."""
        type_name = state.type_name
        found: list[Position] = []
        for position in state.positions:
            provided, index = position.provided, position.subgraph
            if provided is None:
                continue
            if provided.has(field) and self.view.knows(type_name, field, index):
                found.append(self.enter(type_name, field, index, provided.below(field)))
            elif self.view.has_field(type_name, field, index):
                required = self.view.required(type_name, field, index)
                if required is not None and covers(provided, required):
                    found.append(self.enter(type_name, field, index, None))
        found.extend(
            self.enter(type_name, field, i, None)
            for i in self.view.reach(type_name, state.origins())
            if self.view.resolves(type_name, field, i)
        )
        return tuple(sorted(dict.fromkeys(found), key=lambda p: p.subgraph))

    def enter(self, type_name: str, field: str, index: int, provided: Provided | None) -> Position:
        """Subgraph ``index`` at the field's type, with what its ``@provides`` adds."""
        returned = self.view.field_type(type_name, field, index) or type_name
        application = self.view.field_directive(type_name, field, index, "provides")
        if application is not None:
            own = parse_provided(str(argument_value(application, "fields")))
            provided = merge_provided(provided, own)
        return Position(index, returned, provided)

    def cast_state(self, state: _State, merged: MergedType, runtime_type: str) -> _State | None:
        """The state after ``... on runtime_type``, or ``None`` when Apollo does not validate
        that downcast (a subgraph path that cannot be of that type)."""
        positions: list[Position] = []
        for position in state.positions:
            schema = self.view.subgraphs[position.subgraph].schema
            own = schema.get_type(position.type_name)
            if isinstance(own, GraphQLUnionType | GraphQLInterfaceType):
                possible = {t.name for t in schema.get_possible_types(own)}
                if runtime_type not in possible:
                    return None
                provided = position.provided.cast(runtime_type) if position.provided else None
                positions.append(Position(position.subgraph, runtime_type, provided))
            elif isinstance(own, GraphQLObjectType):
                if self.view.is_interface_object(own.name, position.subgraph):
                    continue
                if own.name == runtime_type:
                    positions.append(position)
                elif merged.kind == "union":
                    return None
        if not positions:
            return None
        path = (*state.path, Cast(runtime_type))
        return _State(runtime_type, tuple(positions), state.operation, path, state.mutation)

    def report(self, state: _State, field: MergedField) -> None:
        coordinate = f"{state.type_name}.{field.name}"
        key = ("SATISFIABILITY_ERROR", coordinate, state.origins())
        if state.mutation is None and key in self.errors:
            return
        path = (*state.path, field_step(field, self.view.supergraph))
        named = get_named_type(field.type) if field.type is not None else None
        target = self.view.supergraph.types.get(named.name) if named is not None else None
        leaf = target is None or target.kind not in ("object", "interface", "union")
        reached = self.view.reach(state.type_name, state.origins())
        blocks = []
        for index in reached:
            reasons = why_not(
                self.view, state.type_name, field.name, index, reached, state.origins()
            )
            name = self.view.subgraphs[index].name
            if len(reasons) == 1:
                blocks.append(f'- from subgraph "{name}": {reasons[0]}')
            else:
                blocks.append(f'- from subgraph "{name}":' + "".join(f"\n  - {r}" for r in reasons))
        problem = error(
            "SATISFIABILITY_ERROR",
            f"The following supergraph API query:\n{witness(state.operation, path, leaf=leaf)}"
            "cannot be satisfied by the subgraphs because:\n" + "\n".join(blocks),
            [self.view.subgraphs[i].name for i in reached],
            [coordinate],
        )
        if state.mutation is not None:
            self.mutations.add(*state.mutation, problem)
        else:
            self.errors[key] = problem


def _inaccessible(directives: Sequence[object]) -> bool:
    return any(getattr(d, "name", None) == "inaccessible" for d in directives)


def validate_satisfiability(
    subgraphs: Sequence[Subgraph], metas: Sequence[Metadata], supergraph: Supergraph
) -> list[CompositionError]:
    """``SATISFIABILITY_ERROR`` for every field no subgraph path can resolve."""
    return _Traversal(SubgraphView(subgraphs, metas, supergraph)).walk()
