"""State shared by the per-kind merge steps, and the helpers every kind uses.

A *sources* map goes from subgraph index to that subgraph's element, or ``None`` when the
subgraph defines the parent but not this element (Apollo's ``Sources``). Subgraphs are in
name order, as Apollo orders them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLUnionType,
    StringValueNode,
)

from ..errors import CompositionError, error, subgraph_list
from ..expand import Subgraph
from ..metadata import Metadata, argument_value, element_directives
from .access_control import (
    ACCESS_CONTROL,
    DNF_ARGUMENTS,
    access_control_sources,
    merge_dnf_argument,
)
from .model import Applied, MergedType

__all__ = [
    "MergeContext",
    "Sources",
    "applied_argument",
    "kind_of",
    "present",
]

Sources = dict[int, Any]

_BUILTIN_MERGED = ("deprecated", "specifiedBy")
_FEDERATION_MERGED = (
    "tag",
    "inaccessible",
    "authenticated",
    "requiresScopes",
    "policy",
    "cost",
    "listSize",
    "context",
)


def kind_of(named: GraphQLNamedType, meta: Metadata) -> str:
    if isinstance(named, GraphQLObjectType):
        return "interface" if named.name in meta.interface_objects else "object"
    if isinstance(named, GraphQLInterfaceType):
        return "interface"
    if isinstance(named, GraphQLUnionType):
        return "union"
    if isinstance(named, GraphQLEnumType):
        return "enum"
    if isinstance(named, GraphQLInputObjectType):
        return "input"
    assert isinstance(named, GraphQLScalarType)
    return "scalar"


def present(sources: Mapping[int, Any]) -> list[tuple[int, Any]]:
    return [(i, s) for i, s in sources.items() if s is not None]


def applied_argument(element: Any, directive: str, argument: str) -> Any:
    """The value of ``argument`` in the first ``@directive`` on ``element``, if any."""
    for application in element_directives(element):
        if application.name.value == directive:
            return argument_value(application, argument)
    return None


def _sanitize(name: str) -> str:
    cleaned = re.sub(r"\W", "_", name)
    if re.match(r"^\d", cleaned):
        cleaned = "_" + cleaned
    if re.search(r"_\d+$", cleaned):
        cleaned += "_"
    return cleaned.upper()


def graph_enum_names(names: Iterable[str]) -> list[str]:
    names = list(names)
    sanitized = [_sanitize(n) for n in names]
    out: list[str] = []
    for name in sanitized:
        same = [i for i, s in enumerate(sanitized) if s == name]
        out.append(name if len(same) == 1 else f"{name}_{same.index(len(out)) + 1}")
    return out


@dataclass(slots=True)
class _Deferred:
    names: list[str]
    sources: Sources
    dest: list[Applied]


@dataclass
class MergeContext:
    """The merge's inputs and what it accumulates."""

    subgraphs: list[Subgraph]  # in name order
    metas: list[Metadata]
    graphs: list[str] = field(default_factory=list)
    errors: list[CompositionError] = field(default_factory=list)
    types: dict[str, MergedType] = field(default_factory=dict)
    enum_usages: dict[str, dict[str, str]] = field(default_factory=dict)  # position -> example
    merged_directives: set[str] = field(default_factory=set)
    repeatable: set[str] = field(default_factory=set)
    deferred: list[_Deferred] = field(default_factory=list)
    access_sources: dict[str, list[Any]] | None = None

    def __post_init__(self) -> None:
        self.graphs = graph_enum_names(s.name for s in self.subgraphs)
        self.merged_directives = set(_BUILTIN_MERGED)
        self.repeatable = {"tag", "context"}
        for subgraph in self.subgraphs:
            for name in _FEDERATION_MERGED:
                if self.uses_directive(subgraph, name):
                    self.merged_directives.add(name)

    @staticmethod
    def uses_directive(subgraph: Subgraph, name: str) -> bool:
        directive = subgraph.schema.get_directive(name)
        return (
            directive is not None
            and name in subgraph.local_names
            and _applied_anywhere(subgraph, name)
        )

    def name(self, index: int) -> str:
        return self.subgraphs[index].name

    def graph(self, index: int) -> tuple[str]:
        return (self.graphs[index],)

    def report(
        self, code: str, message: str, indices: Iterable[int] = (), coordinates: Iterable[str] = ()
    ) -> None:
        self.errors.append(error(code, message, [self.name(i) for i in indices], coordinates))

    def describe(self, values: Iterable[tuple[int, str]]) -> str:
        """``X in subgraph "a" but Y in subgraphs "b" and "c"`` (Apollo's mismatch wording)."""
        groups: dict[str, list[str]] = {}
        for index, value in values:
            groups.setdefault(value, []).append(self.name(index))
        parts = [f"{value} in {subgraph_list(names)}" for value, names in groups.items()]
        return parts[0] + "".join(
            f" {'but' if i == 0 else 'and'} {part}" for i, part in enumerate(parts[1:])
        )

    def required_but_missing(self, required: list[int], missing: list[int]) -> str:
        return (
            f"it is required in {subgraph_list(self.name(i) for i in required)} but does"
            f" not appear in {subgraph_list(self.name(i) for i in missing)}"
        )

    def type_sources(self, name: str, kind: str) -> Sources:
        sources: Sources = {}
        for index, subgraph in enumerate(self.subgraphs):
            named = subgraph.schema.get_type(name)
            if named is not None and kind_of(named, self.metas[index]) == kind:
                sources[index] = named
        return sources

    def description(self, sources: Sources) -> str | None:
        """Apollo's rule: the only one, else the only non-empty one, else the most common."""
        descriptions: list[str] = []
        counts: list[int] = []
        for _, source in present(sources):
            text = getattr(source, "description", None)
            if text is None:
                continue
            if text in descriptions:
                counts[descriptions.index(text)] += 1
            else:
                descriptions.append(text)
                counts.append(-(10**9) if text == "" else 1)
        if not descriptions:
            return None
        non_empty = [d for d in descriptions if d != ""]
        if len(descriptions) == 1:
            return descriptions[0]
        if len(non_empty) == 1:
            return non_empty[0]
        return descriptions[counts.index(max(counts))]

    def record_directives(
        self, sources: Sources, dest: list[Applied], access_coordinate: str | None = None
    ) -> None:
        """Merge ``@inaccessible`` now (Apollo does, it decides what else is merged) and the
        other merged directives once every element exists. Fields of composite types and
        interfaces (``access_coordinate``) also take the access-control requirements of
        their implementations."""
        names: list[str] = []
        for _, source in present(sources):
            for directive in element_directives(source):
                name = directive.name.value
                if name in self.merged_directives and name not in names:
                    names.append(name)
        if "inaccessible" in names:
            names.remove("inaccessible")
            self.merge_applied("inaccessible", sources, dest)
        if access_coordinate is not None:
            self._record_access_control(sources, dest, access_coordinate, names)
        self.deferred.append(_Deferred(names, sources, dest))

    def _record_access_control(
        self, sources: Sources, dest: list[Applied], coordinate: str, names: list[str]
    ) -> None:
        if self.access_sources is None:
            self.access_sources = access_control_sources(self.subgraphs, self.metas, self.types)
        for name in ACCESS_CONTROL:
            extra = self.access_sources.get(f"{coordinate}_{name}", [])
            if name in names or extra:
                combined = [s for _, s in present(sources)] + extra
                self.deferred.append(_Deferred([name], dict(enumerate(combined)), dest))
            if name in names:
                names.remove(name)

    def merge_deferred(self) -> None:
        for item in self.deferred:
            for name in item.names:
                self.merge_applied(name, item.sources, item.dest)
        self.deferred = []

    def merge_applied(self, name: str, sources: Sources, dest: list[Applied]) -> None:
        applications: list[Applied] = []
        for index, source in present(sources):
            for directive in element_directives(source):
                if directive.name.value == name:
                    args = tuple((a.name.value, a.value) for a in directive.arguments or ())
                    if name == "context":  # contexts are namespaced by subgraph
                        args = tuple(
                            (n, StringValueNode(value=f"{self.name(index)}__{v.value}"))
                            for n, v in args
                        )
                    applications.append(Applied(name, args))
        if not applications:
            return
        if name in self.repeatable:
            seen: list[str] = []
            for application in applications:
                if str(application) not in seen:
                    seen.append(str(application))
                    dest.append(application)
            return
        printed = [str(a) for a in applications]
        distinct = list(dict.fromkeys(printed))
        argument = DNF_ARGUMENTS.get(name)
        if argument is not None and len(distinct) > 1:
            values = [applications[printed.index(p)].argument(argument) for p in distinct]
            merged = merge_dnf_argument(v for v in values if v is not None)
            dest.append(Applied(name, ((argument, merged),)))
            return
        best = max(distinct, key=printed.count)
        dest.append(applications[printed.index(best)])


def _applied_anywhere(subgraph: Subgraph, name: str) -> bool:
    for named in subgraph.schema.type_map.values():
        if named.name.startswith("__"):
            continue
        if any(d.name.value == name for d in element_directives(named)):
            return True
        for member in _members(named):
            if any(d.name.value == name for d in element_directives(member)):
                return True
            for arg in getattr(member, "args", {}).values():
                if any(d.name.value == name for d in element_directives(arg)):
                    return True
    return False


def _members(named: GraphQLNamedType) -> list[Any]:
    if isinstance(named, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
        return list(named.fields.values())
    if isinstance(named, GraphQLEnumType):
        return list(named.values.values())
    return []
