"""What the subgraphs resolve: fields, ``@requires`` conditions and ``@key`` jumps.

The edges of Apollo's federated query graph, asked for one type at a time: a subgraph
resolves a field it defines and does not mark ``@external`` (a ``@provides`` only helps
along the path through the providing field, see ``provides``), when the field's
``@requires`` can be fetched from there; it jumps to another subgraph through a resolvable
``@key`` whose fields it knows (jumps chain, and an ``@interfaceObject`` key stands for its
interface's implementations).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

from graphql import (
    FieldNode,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    InlineFragmentNode,
    SelectionSetNode,
    get_named_type,
)

from ..expand import Subgraph
from ..fieldset import FieldSetError, parse_field_set
from ..merge.model import Supergraph
from ..metadata import Metadata, argument_value, field_directives

__all__ = ["SubgraphView"]


class SubgraphView:
    def __init__(
        self, subgraphs: Sequence[Subgraph], metas: Sequence[Metadata], supergraph: Supergraph
    ) -> None:
        self.subgraphs = subgraphs
        self.metas = metas
        self.supergraph = supergraph
        self.roots = set(supergraph.roots.values())
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

    def is_interface_object(self, type_name: str, index: int) -> bool:
        return type_name in self.metas[index].interface_objects

    def has_field(self, type_name: str, field: str, index: int) -> bool:
        """Subgraph ``index`` defines the field and does not leave it to others (external)."""
        named = self.view(type_name, index)
        if not isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            return False
        return field in named.fields and not self.metas[index].is_external(f"{named.name}.{field}")

    def resolves(self, type_name: str, field: str, index: int) -> bool:
        """``has_field``, and the field's ``@requires`` (if any) can be fetched from there."""
        return self.has_field(type_name, field, index) and self.requirements_met(
            type_name, field, index
        )

    def field_directive(self, type_name: str, field: str, index: int, name: str) -> object:
        """The first application of directive ``name`` on the field in subgraph ``index``."""
        named = self.view(type_name, index)
        definition = getattr(named, "fields", {}).get(field)
        return next(iter(field_directives(definition, name)), None)

    def field_type(self, type_name: str, field: str, index: int) -> str | None:
        """The name of the field's type in subgraph ``index`` (may differ from the
        supergraph's: an implementation there, the interface here)."""
        named = self.view(type_name, index)
        definition = getattr(named, "fields", {}).get(field)
        return get_named_type(definition.type).name if definition is not None else None

    def required(self, type_name: str, field: str, index: int) -> SelectionSetNode | None:
        """The selection of the field's ``@requires`` in subgraph ``index``, if it has one
        (one that does not parse selects a field nothing has)."""
        application = self.field_directive(type_name, field, index, "requires")
        if application is None:
            return None
        try:
            return parse_field_set(str(argument_value(application, "fields")))
        except FieldSetError:
            return parse_field_set("__unparsable_requires")

    def requirements_met(self, type_name: str, field: str, index: int) -> bool:
        selection = self.required(type_name, field, index)
        if selection is None:
            return True
        key = (type_name, field, index)
        if key not in self.requirements:
            self.requirements[key] = False  # a requirement cycle cannot be met
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
