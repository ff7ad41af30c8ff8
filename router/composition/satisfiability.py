"""Stage 5, satisfiability: every field a client can query is resolvable by some subgraph.

A simplified form of Apollo's ``validateGraphComposition``: walk the supergraph from the root
fields; at a type reached in subgraph S, a field is reachable when S itself resolves it or a
subgraph S can jump to through a resolvable ``@key`` whose fields S knows (jumps chain, and
an ``@interfaceObject`` key stands for its interface's implementations). Abstract types are
explored through the implementations their subgraph knows. A field with ``@requires`` is
resolvable in its subgraph only when the required fields can be fetched from there (by key
jumps); ``@provides`` shortcuts are not modelled.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from graphql import (
    FieldNode,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLUnionType,
    InlineFragmentNode,
    SelectionSetNode,
    get_named_type,
)

from .errors import CompositionError, error, subgraph_list
from .expand import Subgraph
from .fieldset import FieldSetError, parse_field_set
from .merge.model import MergedField, MergedType, Supergraph
from .metadata import Metadata, argument_value, field_directives
from .print_supergraph import locale_key
from .satisfiability_reasons import why_not

__all__ = ["validate_satisfiability"]


@dataclass(frozen=True, slots=True)
class _State:
    """A type reached along ``path``, in any of ``subgraphs`` (the alternatives so far)."""

    type_name: str
    subgraphs: frozenset[int]
    path: tuple[str, ...]


class _Walker:
    def __init__(
        self, subgraphs: Sequence[Subgraph], metas: Sequence[Metadata], supergraph: Supergraph
    ) -> None:
        self.subgraphs = subgraphs
        self.metas = metas
        self.supergraph = supergraph
        self.roots = set(supergraph.roots.values())
        self.errors: dict[tuple[str, frozenset[int]], CompositionError] = {}
        self.requirements: dict[tuple[str, str, int], bool] = {}

    def view(self, type_name: str, index: int) -> GraphQLNamedType | None:
        """The type as subgraph ``index`` knows it, or the interface object standing for it."""
        schema = self.subgraphs[index].schema
        named = schema.get_type(type_name)
        if named is not None:
            return named
        merged = self.supergraph.types.get(type_name)
        for interface in merged.interfaces if merged else ():
            if interface in self.metas[index].interface_objects:
                return schema.get_type(interface)
        return None

    def has_field(self, type_name: str, field: str, index: int) -> bool:
        """Subgraph ``index`` defines the field and does not leave it to others (external)."""
        named = self.view(type_name, index)
        if not isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            return False
        return field in named.fields and not self.metas[index].is_fully_external(
            f"{named.name}.{field}"
        )

    def resolves(self, type_name: str, field: str, index: int) -> bool:
        """``has_field``, and the field's ``@requires`` (if any) can be fetched from there."""
        return self.has_field(type_name, field, index) and self.requirements_met(
            type_name, field, index
        )

    def requirements_met(self, type_name: str, field: str, index: int) -> bool:
        named = self.view(type_name, index)
        definition = getattr(named, "fields", {}).get(field)
        application = next(iter(field_directives(definition, "requires")), None)
        if application is None:
            return True
        key = (type_name, field, index)
        if key not in self.requirements:
            self.requirements[key] = False  # a requirement cycle cannot be met
            try:
                selection = parse_field_set(str(argument_value(application, "fields")))
            except FieldSetError:
                return False
            self.requirements[key] = self.selection_met(type_name, selection, frozenset({index}))
        return self.requirements[key]

    def selection_met(
        self, type_name: str, selection_set: SelectionSetNode, start: frozenset[int]
    ) -> bool:
        """Every field of ``selection_set`` resolvable from ``start`` (jumping by keys)."""
        reached = self.reach(type_name, start)
        for selection in selection_set.selections:
            if isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = condition.name.value if condition is not None else type_name
                if not self.selection_met(target, selection.selection_set, start):
                    return False
                continue
            if not isinstance(selection, FieldNode) or selection.name.value == "__typename":
                continue
            name = selection.name.value
            resolvers = [i for i in reached if self.resolves(type_name, name, i)]
            if not resolvers:
                return False
            sub = selection.selection_set
            if sub is not None:
                field = self.supergraph.types[type_name].fields.get(name)
                returned = get_named_type(field.type) if field and field.type else None
                if returned is None or not any(
                    self.selection_met(returned.name, sub, frozenset({i})) for i in resolvers
                ):
                    return False
        return True

    def key_available(self, type_name: str, fields: str, index: int) -> bool:
        try:
            selections = parse_field_set(fields).selections
        except FieldSetError:
            return False
        return all(
            isinstance(s, FieldNode)
            and (s.name.value == "__typename" or self.knows(type_name, s.name.value, index))
            for s in selections
        )

    def knows(self, type_name: str, field: str, index: int) -> bool:
        named = self.view(type_name, index)
        return isinstance(named, GraphQLObjectType | GraphQLInterfaceType) and (
            field in named.fields
        )

    def entries(self, type_name: str) -> list[tuple[int, str]]:
        """(subgraph, key fields) of every resolvable key reaching ``type_name``."""
        found: list[tuple[int, str]] = []
        for index, subgraph in enumerate(self.subgraphs):
            named = self.view(type_name, index)
            if named is None:
                continue
            for key in subgraph.keys.get(named.name, ()):
                if key.resolvable is not False:
                    found.append((index, key.fields))
        return found

    def reach(self, type_name: str, start: frozenset[int]) -> list[int]:
        """``start`` (in order) then the subgraphs key jumps lead to, breadth first."""
        if type_name in self.roots:
            return [i for i in range(len(self.subgraphs)) if self.view(type_name, i)]
        reached = sorted(start)
        queue = deque(reached)
        entries = self.entries(type_name)
        while queue:
            current = queue.popleft()
            for target, fields in entries:
                if target not in reached and self.key_available(type_name, fields, current):
                    reached.append(target)
                    queue.append(target)
        return reached

    def report(self, state: _State, field: str) -> None:
        coordinate = f"{state.type_name}.{field}"
        if (coordinate, state.subgraphs) in self.errors:
            return
        query = _witness([*state.path, field])
        reached = self.reach(state.type_name, state.subgraphs)
        blocks = []
        for index in reached:
            reasons = why_not(self, state.type_name, field, index, reached, state.subgraphs)
            name = self.subgraphs[index].name
            if len(reasons) == 1:
                blocks.append(f'- from subgraph "{name}": {reasons[0]}')
            else:
                blocks.append(f'- from subgraph "{name}":' + "".join(f"\n  - {r}" for r in reasons))
        self.errors[(coordinate, state.subgraphs)] = error(
            "SATISFIABILITY_ERROR",
            f"The following supergraph API query:\n{query}cannot be satisfied by the subgraphs"
            " because:\n" + "\n".join(blocks),
            [self.subgraphs[i].name for i in reached],
            [coordinate],
        )

    def next_states(self, state: _State) -> list[_State]:
        merged = self.supergraph.types.get(state.type_name)
        if merged is None:
            return []
        out = self.abstract_states(state)
        reached = self.reach(state.type_name, state.subgraphs)
        for name, field in merged.fields.items():
            if _inaccessible(field.directives):
                continue
            resolvers = [i for i in sorted(reached) if self.resolves(state.type_name, name, i)]
            if not resolvers and merged.kind == "object":
                self.report(state, name)
            if len(resolvers) > 1 and not self.runtime_types_intersect(state, name, resolvers):
                continue
            target = get_named_type(field.type)
            if resolvers and target is not None and target.name in self.supergraph.types:
                out.append(_State(target.name, frozenset(resolvers), (*state.path, name)))
        return out

    def runtime_types_intersect(self, state: _State, field_name: str, resolvers: list[int]) -> bool:
        """False (and ``SHAREABLE_HAS_MISMATCHED_RUNTIME_TYPES``) when the subgraphs sharing
        a field of abstract type resolve it to disjoint sets of runtime types."""
        merged = self.supergraph.types[state.type_name]
        field = merged.fields[field_name]
        named = get_named_type(field.type)
        target = self.supergraph.types.get(named.name) if named is not None else None
        if merged.kind != "object" or target is None or target.kind not in ("union", "interface"):
            return True
        if not _shared(merged, field):
            return True
        every = set(target.members) | {
            t.name for t in self.supergraph.types.values() if target.name in t.interfaces
        }
        common = set(every)
        groups: dict[str, list[str]] = {}
        any_defined = False
        for index in resolvers:
            named = self.subgraphs[index].schema.get_type(target.name)
            if not isinstance(named, GraphQLUnionType | GraphQLInterfaceType):
                continue
            names = sorted(
                (t.name for t in self.subgraphs[index].schema.get_possible_types(named)),
                key=locale_key,
            )
            if len(names) == 1 and names[0] not in every:
                continue
            described = "no runtime type is defined"
            if names:
                any_defined = True
                quoted = [f'"{n}"' for n in names]
                listed = (
                    quoted[0]
                    if len(quoted) == 1
                    else (", ".join(quoted[:-1]) + " and " + quoted[-1])
                )
                described = ("types " if len(names) > 1 else "type ") + listed
            groups.setdefault(described, []).append(self.subgraphs[index].name)
            common &= set(names)
        if common or not any_defined:
            return True
        coordinate = f"{merged.name}.{field_name}"
        lines = ";\n".join(f" - in {subgraph_list(n)}, {d}" for d, n in groups.items())
        self.errors.setdefault(
            (coordinate, frozenset(resolvers)),
            error(
                "SHAREABLE_HAS_MISMATCHED_RUNTIME_TYPES",
                "For the following supergraph API query:\n"
                + _witness([*state.path, field_name, "..."])
                + f'Shared field "{coordinate}" return type "{field.type}" has a'
                " non-intersecting set of possible runtime types across subgraphs. Runtime"
                f" types in subgraphs are:\n{lines}.\nThis is not allowed as shared fields must"
                " resolve the same way in all subgraphs, and that implies at least some common"
                " runtime types between the subgraphs.",
                [self.subgraphs[i].name for i in resolvers],
                [coordinate],
            ),
        )
        return False

    def abstract_states(self, state: _State) -> list[_State]:
        """Implementations (or members) of an abstract type, where each subgraph knows them."""
        where: dict[str, set[int]] = {}
        for index in sorted(state.subgraphs):
            schema = self.subgraphs[index].schema
            named = schema.get_type(state.type_name)
            if isinstance(named, GraphQLUnionType | GraphQLInterfaceType):
                for possible in schema.get_possible_types(named):
                    where.setdefault(possible.name, set()).add(index)
        return [_State(name, frozenset(indices), state.path) for name, indices in where.items()]

    def walk(self) -> list[CompositionError]:
        """Depth first, the last field first, as Apollo's validation pops its stack (this
        decides which query of several witnesses a failure)."""
        stack = list(
            _State(root, frozenset({i}), ())
            for root in self.supergraph.roots.values()
            for i in range(len(self.subgraphs))
            if self.view(root, i) is not None
        )
        seen: set[tuple[str, frozenset[int]]] = set()
        while stack:
            state = stack.pop()
            if (state.type_name, state.subgraphs) in seen:
                continue
            seen.add((state.type_name, state.subgraphs))
            stack.extend(self.next_states(state))
        return list(self.errors.values())


def _witness(path: list[str]) -> str:
    """The query reaching ``path`` (its last element the leaf), printed as Apollo prints it."""
    return (
        "{\n"
        + "".join(
            "  " * (depth + 1) + name + (" {\n" if depth < len(path) - 1 else "\n")
            for depth, name in enumerate(path)
        )
        + "".join("  " * depth + "}\n" for depth in range(len(path) - 1, -1, -1))
    )


def _shared(parent: MergedType, field: MergedField) -> bool:
    """Resolved by more than one subgraph (Apollo's ``ValidationContext.isShareable``)."""
    joins = [d for d in field.directives if d.name == "join__field"]
    if not joins:
        return sum(1 for d in parent.directives if d.name == "join__type") > 1
    return (
        sum(
            1
            for d in joins
            if d.argument("external") is None and d.argument("usedOverridden") is None
        )
        > 1
    )


def _inaccessible(directives: Sequence[object]) -> bool:
    return any(getattr(d, "name", None) == "inaccessible" for d in directives)


def validate_satisfiability(
    subgraphs: Sequence[Subgraph], metas: Sequence[Metadata], supergraph: Supergraph
) -> list[CompositionError]:
    """``SATISFIABILITY_ERROR`` for every field no subgraph path can resolve."""
    return _Walker(subgraphs, metas, supergraph).walk()
