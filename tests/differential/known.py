"""Why our router and Apollo Gateway may answer differently: the allowlist.

Two kinds of entries, both documented in ``README.md``:

* :data:`KNOWN_DISAGREEMENTS`: bugs of OUR router, each a predicate on the generated query
  and the error text our answer must show. A disagreement they both accept is expected,
  and every entry must still explain at least one disagreement of a full run (strict):
  when the bug is fixed the entry fails and must be deleted, so the list only shrinks.
  Each has a minimal reproduction in ``test_found.py`` (``xfail(strict=True)``).
* Apollo Gateway bugs, where the schema and the data say our router is right. They are not
  a list of queries but checks run on the disagreement (``report.explain``):
  ``apollo-alias-collision`` (Apollo's answer changes when every client alias is renamed to
  a name no field has, and the renamed answer is ours: the 043/158 bug class of the fleet
  corpus), ``apollo-skipped-selection`` (likewise when the selections ``@skip``/``@include``
  leave out are deleted from the query: a skipped ``@requires`` field nulls its siblings
  in Apollo's entity fetch), ``apollo-key-order`` (same data but for the order of keys,
  and ours is the spec's, see :mod:`tests.differential.order`) and
  ``apollo-entity-error-index`` (same data, errors at the same paths but for list indexes:
  Apollo puts an error from an ``_entities`` fetch at the index of the representation in
  the batch, not of the object in the response).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    REMOVE,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    NameNode,
    OperationDefinitionNode,
    SelectionSetNode,
    Visitor,
    get_named_type,
    parse,
    print_ast,
    visit,
)
from graphql.language import VariableNode

from router.supergraph import Supergraph
from tests.differential.compare import differences, error_paths
from tests.differential.conditions import included, variables_with_defaults
from tests.differential.generate import GeneratedQuery
from tests.differential.order import in_spec_order

__all__ = [
    "APOLLO_BUGS_BY_QUERY",
    "KNOWN_DISAGREEMENTS",
    "RENAMED_ALIAS_SUFFIX",
    "KnownDisagreement",
    "asked_a_subgraph_that_cannot_resolve",
    "documented_apollo_bug",
    "has_alias",
    "in_spec_order_already",
    "known_router_bug",
    "renamed_aliases",
    "restore_aliases",
    "same_but_for_indexes",
    "same_but_for_key_order",
    "without_excluded",
    "without_unused_definitions",
]

RENAMED_ALIAS_SUFFIX = "_zz9"
FRAGMENT = "fragment "


@dataclass(frozen=True, slots=True)
class KnownDisagreement:
    name: str
    reason: str
    matches: Callable[[GeneratedQuery, Supergraph], bool]
    """The query's shape (may over-approximate: ``symptom`` narrows it)."""
    symptom: str
    """Text one of our errors must hold for the disagreement to be this bug."""
    graphs: tuple[str, ...]
    """The fixture graphs whose full run must still show it (the strict check)."""

    def explains(self, query: GeneratedQuery, supergraph: Supergraph, ours: Any) -> bool:
        messages = [str(e.get("message")) for e in ours.get("errors") or () if isinstance(e, dict)]
        return any(self.symptom in m for m in messages) and self.matches(query, supergraph)


# ---------------------------------------------------------------- our bugs


KNOWN_DISAGREEMENTS: tuple[KnownDisagreement, ...] = ()  # none known: keep it so

# ---------------------------------------------------------------- Apollo's, one by one

APOLLO_BUGS_BY_QUERY: dict[str, str] = {
    # interface_object #125: Apollo builds monitoring's representation from the client's
    # `id: site` alias (an object; the subgraph fails: "unhashable type"); with the aliases
    # renamed it drops the whole `... on Server { __typename alerts }` part instead. Hive
    # fails the query ("Fields 'id' conflict"). Ours gives every Server its alerts.
    "query Q125($v1: Boolean!) { a1: assets { ... on Server { __typename a1: alerts { i1: id "
    "a1: asset @skip(if: false) { name name @skip(if: true) name @skip(if: $v1) name } id id "
    "} } id: site { city: code } } }": "apollo-alias-as-key-and-dropped-fragment",
}
"""Disagreements where Apollo is wrong that no general rule recognises, by query text, with
what each reference does. Reviewed by hand: keep it short."""


def documented_apollo_bug(query: GeneratedQuery) -> str | None:
    return APOLLO_BUGS_BY_QUERY.get(" ".join(query.text.split()))


def known_router_bug(
    query: GeneratedQuery, supergraph: Supergraph, ours: Mapping[str, Any]
) -> KnownDisagreement | None:
    """The known bug of ours that explains our answer ``ours`` to ``query``, if any."""
    return next(
        (known for known in KNOWN_DISAGREEMENTS if known.explains(query, supergraph, ours)),
        None,
    )


# ---------------------------------------------------------------- Apollo's bugs


def has_alias(query: GeneratedQuery) -> bool:
    return any(
        isinstance(node, FieldNode) and node.alias is not None for node in _nodes(parse(query.text))
    )


def _nodes(document: Any) -> list[Any]:
    found: list[Any] = []

    class Collector(Visitor):
        def enter(self, node: Any, *_: Any) -> None:
            found.append(node)

    visit(document, Collector())
    return found


def renamed_aliases(query: GeneratedQuery) -> GeneratedQuery:
    """The same query with every alias ``a`` renamed ``a_zz9`` (no field has such a name)."""

    class Renamer(Visitor):
        def enter_field(self, node: FieldNode, *_: Any) -> FieldNode | None:
            if node.alias is None:
                return None
            alias = NameNode(value=node.alias.value + RENAMED_ALIAS_SUFFIX)
            return FieldNode(
                alias=alias,
                name=node.name,
                arguments=node.arguments,
                directives=node.directives,
                selection_set=node.selection_set,
            )

    text = print_ast(visit(parse(query.text), Renamer()))
    return GeneratedQuery(query.index, text, query.variables, query.operation_name)


def restore_aliases(body: Mapping[str, Any]) -> dict[str, Any]:
    """A response to :func:`renamed_aliases`' query with the original response keys (in
    ``data`` and in the errors' paths)."""
    restored = dict(body)
    if "data" in body:
        restored["data"] = _restored_keys(body["data"])
    if body.get("errors"):
        restored["errors"] = [
            {**error, "path": [_restored(k) for k in error["path"]]}
            if isinstance(error, dict) and error.get("path")
            else error
            for error in body["errors"]
        ]
    return restored


def _restored_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {_restored(key): _restored_keys(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_restored_keys(item) for item in value]
    return value


def _restored(key: Any) -> Any:
    return key.removesuffix(RENAMED_ALIAS_SUFFIX) if isinstance(key, str) else key


def without_excluded(query: GeneratedQuery) -> GeneratedQuery | None:
    """The same query without the selections ``@skip``/``@include`` leave out (then without
    the fragments left empty, and the variables and fragments only they used); None when
    nothing is left out or a field's selection set would be left empty."""
    document = parse(query.text)
    variables = variables_with_defaults(document, query.variables)
    removed = False
    empty: set[str] = set()  # fragment definitions left with nothing

    class Remover(Visitor):
        def enter(self, node: Any, *_: Any) -> Any:
            nonlocal removed
            selection = (FieldNode, InlineFragmentNode, FragmentSpreadNode)
            if isinstance(node, selection) and not included(node, variables):
                removed = True
                return REMOVE
            if isinstance(node, FragmentSpreadNode) and node.name.value in empty:
                return REMOVE
            return None

        def leave(self, node: Any, *_: Any) -> Any:
            if isinstance(node, InlineFragmentNode) and not node.selection_set.selections:
                return REMOVE
            return None

    stripped = document
    while True:
        stripped = visit(stripped, Remover())
        now_empty = {
            d.name.value
            for d in stripped.definitions
            if isinstance(d, FragmentDefinitionNode) and not d.selection_set.selections
        }
        if now_empty <= empty:
            break
        empty |= now_empty
    if not removed or any(
        isinstance(node, FieldNode) and node.selection_set and not node.selection_set.selections
        for node in _nodes(stripped)
    ):
        return None
    stripped = without_unused_definitions(stripped)
    used = {n.name.value for n in _nodes(stripped) if isinstance(n, VariableNode)}
    kept = {name: value for name, value in query.variables.items() if name in used}
    return GeneratedQuery(query.index, print_ast(stripped), kept, query.operation_name)


def without_unused_definitions(document: DocumentNode) -> DocumentNode:
    """Drop fragments no longer spread and variables no longer used (until none is left)."""
    while True:
        spread = {n.name.value for n in _nodes(document) if isinstance(n, FragmentSpreadNode)}
        definitions = [
            d
            for d in document.definitions
            if not isinstance(d, FragmentDefinitionNode) or d.name.value in spread
        ]
        if len(definitions) == len(document.definitions):
            break
        document = DocumentNode(definitions=tuple(definitions))
    used = {
        n.name.value
        for d in document.definitions
        for n in _nodes(d.selection_set)  # type: ignore[attr-defined]
        if isinstance(n, VariableNode)
    }
    operations = []
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            kept = tuple(
                v for v in definition.variable_definitions or () if v.variable.name.value in used
            )
            definition = OperationDefinitionNode(
                operation=definition.operation,
                name=definition.name,
                variable_definitions=kept,
                directives=definition.directives,
                selection_set=definition.selection_set,
            )
        operations.append(definition)
    return DocumentNode(definitions=tuple(operations))


def _unordered(value: Any) -> Any:
    return json.loads(json.dumps(value, sort_keys=True))


def same_but_for_key_order(ours: Mapping[str, Any], theirs: Mapping[str, Any]) -> bool:
    return _unordered(ours.get("data")) == _unordered(theirs.get("data")) and error_paths(
        dict(ours)
    ) == error_paths(dict(theirs))


def in_spec_order_already(
    schema: GraphQLSchema, query: GeneratedQuery, body: Mapping[str, Any]
) -> bool:
    """Whether every object of ``body``'s data has its keys in ``CollectFields`` order."""
    data = body.get("data")
    ordered = in_spec_order(schema, parse(query.text), query.variables, data)
    return json.dumps(ordered) == json.dumps(data)


def same_but_for_indexes(ours: Mapping[str, Any], theirs: Mapping[str, Any]) -> bool:
    """Same data, as many errors, at the same paths once list indexes are erased."""
    if [d for d in differences(dict(ours), dict(theirs)) if not d.startswith("errors:")]:
        return False

    def erased(body: Mapping[str, Any]) -> list[str]:
        return sorted(
            ".".join("@" if isinstance(key, int) else str(key) for key in error.get("path") or ())
            for error in body.get("errors") or ()
        )

    return erased(ours) == erased(theirs)


def asked_a_subgraph_that_cannot_resolve(
    supergraph: Supergraph, query: GeneratedQuery, theirs: Mapping[str, Any]
) -> bool:
    """Whether ``theirs`` carries the error of an ``_entities`` fetch sent to a subgraph
    whose keys for the entity's type are all ``resolvable: false``: a router must never ask
    it, so the nulls it answered are the router's doing."""
    document = parse(query.text)
    for error in theirs.get("errors") or ():
        path = error.get("path") if isinstance(error, dict) else None
        service = (error.get("extensions") or {}).get("serviceName")
        if not (isinstance(path, list) and path and path[-1] == "_entities"):
            continue
        keys = [step for step in path[:-1] if isinstance(step, str) and step != "@"]
        type_name = _type_at(supergraph, document, keys)
        declared = [k for k in supergraph.keys_in(type_name or "", str(service))]
        if declared and not any(key.resolvable for key in declared):
            return True
    return False


def _type_at(supergraph: Supergraph, document: DocumentNode, keys: list[str]) -> str | None:
    """The named type of the field at the response ``keys`` of the query's operation."""
    schema = supergraph.api_schema
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))

    def fields(selection_set: SelectionSetNode | None) -> Iterator[FieldNode]:
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                yield selection
            elif isinstance(selection, InlineFragmentNode):
                yield from fields(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                yield from fields(fragments[selection.name.value].selection_set)

    type_name: str | None = schema.query_type.name if schema.query_type else None
    nodes: list[FieldNode] = list(fields(operation.selection_set))
    for key in keys:
        found = [n for n in nodes if (n.alias or n.name).value == key]
        if not found or type_name is None:
            return None
        type_name = _field_type_name(schema, type_name, found[0].name.value)
        nodes = [f for n in found for f in fields(n.selection_set)]
    return type_name


def _field_type_name(schema: GraphQLSchema, parent: str, field: str) -> str | None:
    """``parent.field``'s named type, looking through an abstract parent's members."""
    named = schema.get_type(parent)
    candidates = [named]
    if isinstance(named, GraphQLInterfaceType | GraphQLUnionType):
        candidates += list(schema.get_possible_types(named))
    for candidate in candidates:
        definition = getattr(candidate, "fields", {}).get(field)
        if definition is not None:
            return str(get_named_type(definition.type).name)
    return None
