"""Stage 1, expand subgraphs: SDL -> a :class:`Subgraph` over canonical federation names.

Reads the subgraph's ``@link`` to federation (version, imports, ``as`` renames), renames
every federation directive application to its canonical name, drops federation-owned
definitions the SDL may carry (``_Service``, ``_Any``, ``_entities``, printed directive
definitions), turns type extensions without a base definition into definitions while
remembering they were extensions, then builds a graphql-core schema over the federation
definitions of :mod:`federation_spec`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from graphql import (
    REMOVE,
    ConstDirectiveNode,
    DirectiveDefinitionNode,
    DirectiveNode,
    DocumentNode,
    FieldDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    NameNode,
    ObjectTypeDefinitionNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    TypeDefinitionNode,
    TypeExtensionNode,
    Visitor,
    build_ast_schema,
    language,
    parse,
    validate_schema,
    visit,
)

from .errors import CompositionError, error
from .federation_spec import (
    FEDERATION_IDENTITY,
    KNOWN_FEDERATION_VERSIONS,
    MINIMUM_VERSION,
    federation_definitions,
)
from .links import Link, LinkError, parse_links

__all__ = [
    "FEDERATION_ROOT_FIELDS",
    "Subgraph",
    "TypeKey",
    "expand_subgraph",
    "rebuilt",
]

_FED1_DIRECTIVES = ("key", "requires", "provides", "external", "extends", "tag")
_FEDERATION_TYPE_NAMES = frozenset(
    {"_Any", "_Service", "_Entity", "_FieldSet", "FieldSet", "link__Import", "link__Purpose"}
)
FEDERATION_ROOT_FIELDS = frozenset({"_service", "_entities"})
_EXTENSION_TO_DEFINITION = {
    "object_type_extension": "ObjectTypeDefinitionNode",
    "interface_type_extension": "InterfaceTypeDefinitionNode",
    "union_type_extension": "UnionTypeDefinitionNode",
    "enum_type_extension": "EnumTypeDefinitionNode",
    "input_object_type_extension": "InputObjectTypeDefinitionNode",
    "scalar_type_extension": "ScalarTypeDefinitionNode",
}


@dataclass(frozen=True, slots=True)
class TypeKey:
    """One ``@key`` of a type as the subgraph declares it."""

    fields: str
    resolvable: bool | None  # as written: Apollo only prints an explicit ``resolvable``
    on_extension: bool


@dataclass(frozen=True, slots=True)
class Subgraph:
    """A subgraph after expansion: its schema over canonical federation directive names."""

    name: str
    url: str
    schema: GraphQLSchema
    federation_version: tuple[int, int] | None  # None: a Federation 1 subgraph
    links: tuple[Link, ...]
    local_names: Mapping[str, str]  # canonical federation directive -> name in the SDL
    keys: Mapping[str, tuple[TypeKey, ...]]
    extension_types: frozenset[str]  # declared only through ``extend type`` (no base)
    document: DocumentNode  # what ``schema`` is built from (without federation's definitions)
    # Definitions the SDL itself gives for federation directives, by canonical name: they are
    # dropped for the canonical ones but must agree with them (validate_directive_definitions).
    written_definitions: Mapping[str, DirectiveDefinitionNode] = field(default_factory=dict)

    @property
    def is_fed2(self) -> bool:
        return self.federation_version is not None


class _Expansion(Exception):
    def __init__(self, problem: CompositionError) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _fail(subgraph: str, code: str, message: str) -> _Expansion:
    return _Expansion(error(code, f"[{subgraph}] {message}", [subgraph]))


def _schema_directives(document: DocumentNode) -> list[ConstDirectiveNode]:
    found: list[ConstDirectiveNode] = []
    for node in document.definitions:
        if isinstance(node, SchemaDefinitionNode | SchemaExtensionNode):
            found.extend(node.directives or ())
    return found


def _federation_names(
    name: str, links: list[Link]
) -> tuple[tuple[int, int] | None, dict[str, str]]:
    """The federation version and a map canonical directive name -> name in the SDL."""
    link = next((lk for lk in links if lk.identity == FEDERATION_IDENTITY), None)
    if link is None:
        return None, {d: d for d in _FED1_DIRECTIVES}
    if link.version not in KNOWN_FEDERATION_VERSIONS:
        raise _fail(
            name,
            "UNKNOWN_FEDERATION_LINK_VERSION",
            f"Invalid version v{link.version[0]}.{link.version[1]} for the federation feature"
            f" in @link directive on schema",
        )
    known = {d for d, v in MINIMUM_VERSION.items() if v <= link.version}
    for original, _local in link.imports:
        bare = original.lstrip("@")
        if original.startswith("@") and bare not in known:
            raise _fail(
                name,
                "INVALID_LINK_DIRECTIVE_USAGE",
                f'Cannot import unknown element "{original}".',
            )
    return link.version, {d: link.directive_name(d) for d in known}


class _Normalizer(Visitor):
    """Renames federation directives and drops what federation itself defines."""

    def __init__(self, to_canonical: Mapping[str, str]) -> None:
        super().__init__()
        self.to_canonical = to_canonical

    def enter_directive(self, node: DirectiveNode, *_: Any) -> Any:
        canonical = self.to_canonical.get(node.name.value)
        if canonical is None or canonical == node.name.value:
            return None
        return DirectiveNode(name=NameNode(value=canonical), arguments=node.arguments)

    def enter_directive_definition(self, node: DirectiveDefinitionNode, *_: Any) -> Any:
        name = node.name.value
        if name in self.to_canonical or name in self.to_canonical.values() or name == "link":
            return REMOVE
        return None

    def enter(self, node: Any, *_: Any) -> Any:
        if isinstance(node, TypeDefinitionNode | TypeExtensionNode):
            name = node.name.value
            if name in _FEDERATION_TYPE_NAMES or name.startswith(("federation__", "link__")):
                return REMOVE
        return None

    def enter_field_definition(self, node: FieldDefinitionNode, *_: Any) -> Any:
        return REMOVE if node.name.value in FEDERATION_ROOT_FIELDS else None


class _RootRenamer(Visitor):
    def __init__(self, renames: Mapping[str, str]) -> None:
        super().__init__()
        self.renames = renames

    def enter_name(self, node: NameNode, _key: Any, parent: Any, *_: Any) -> Any:
        renamed = self.renames.get(node.value)
        if renamed is None or isinstance(parent, FieldDefinitionNode | DirectiveNode):
            return None
        return NameNode(value=renamed)


def _normalize_roots(subgraph: str, document: DocumentNode) -> DocumentNode:
    """Root types get their default names (``schema { query: RootQuery }`` -> ``Query``)."""
    renames: dict[str, str] = {}
    for node in document.definitions:
        if isinstance(node, SchemaDefinitionNode | SchemaExtensionNode):
            for operation in node.operation_types or ():
                default = operation.operation.value.capitalize()
                if operation.type.name.value != default:
                    renames[operation.type.name.value] = default
    defined = {n.name.value for n in document.definitions if isinstance(n, TypeDefinitionNode)}
    for actual, default in renames.items():
        if default in defined:
            raise _fail(
                subgraph,
                f"ROOT_{default.upper()}_USED",
                f'The schema has a type named "{default}" but it is not set as the'
                f' {default.lower()} root type ("{actual}" is instead): this is not'
                " supported by federation. If a root type does not use its default"
                " name, there should be no other type with that default name.",
            )
    return visit(document, _RootRenamer(renames)) if renames else document


def _as_definition(node: Any) -> Any:
    definition_class = getattr(language, _EXTENSION_TO_DEFINITION[node.kind])
    keys = set(definition_class.keys) & set(node.keys)
    return definition_class(**{k: getattr(node, k) for k in keys if k != "loc"})


def _orphan_extensions_to_definitions(document: DocumentNode) -> tuple[DocumentNode, set[str]]:
    defined = {n.name.value for n in document.definitions if isinstance(n, TypeDefinitionNode)}
    orphans: set[str] = set()
    definitions: list[Any] = []
    for node in document.definitions:
        if isinstance(node, TypeExtensionNode) and node.name.value not in defined:
            orphans.add(node.name.value)
            defined.add(node.name.value)
            definitions.append(_as_definition(node))
        else:
            definitions.append(node)
    return DocumentNode(definitions=tuple(definitions)), orphans


def _has(node: Any, directive: str) -> bool:
    return any(d.name.value == directive for d in getattr(node, "directives", None) or ())


def _argument(directive: Any, name: str) -> Any:
    for arg in directive.arguments or ():
        if arg.name.value == name:
            return arg.value
    return None


def _collect_keys(
    document: DocumentNode, orphans: set[str], subgraph: str
) -> tuple[dict[str, tuple[TypeKey, ...]], frozenset[str]]:
    """Keys per type; a key declared on an extension (or an ``@extends`` type) says so."""
    extends = {
        n.name.value
        for n in document.definitions
        if isinstance(n, TypeDefinitionNode | TypeExtensionNode) and _has(n, "extends")
    }
    keys: dict[str, list[TypeKey]] = {}
    for node in document.definitions:
        if not isinstance(node, TypeDefinitionNode | TypeExtensionNode):
            continue
        name = node.name.value
        on_extension = isinstance(node, TypeExtensionNode) or name in orphans or name in extends
        for directive in node.directives or ():
            if directive.name.value != "key":
                continue
            fields = _argument(directive, "fields")
            if fields is None or not isinstance(getattr(fields, "value", None), str):
                raise _fail(
                    subgraph,
                    "KEY_INVALID_FIELDS_TYPE",
                    f'On type "{name}", for @key: Invalid value for argument "fields":'
                    " must be a string.",
                )
            resolvable = _argument(directive, "resolvable")
            keys.setdefault(name, []).append(
                TypeKey(
                    fields=fields.value,
                    resolvable=None if resolvable is None else getattr(resolvable, "value", None),
                    on_extension=on_extension,
                )
            )
    return {k: tuple(v) for k, v in keys.items()}, frozenset(orphans)


def _build(subgraph: str, document: DocumentNode) -> GraphQLSchema:
    full = DocumentNode(definitions=(*federation_definitions().definitions, *document.definitions))
    try:
        schema = build_ast_schema(full)
    except (GraphQLError, TypeError) as problem:
        raise _fail(subgraph, "INVALID_GRAPHQL", str(problem).split("\n\n")[0]) from problem
    problems = validate_schema(schema)
    if problems:
        raise _fail(subgraph, "INVALID_GRAPHQL", problems[0].message)
    return schema


def _with_query_root(document: DocumentNode) -> DocumentNode:
    """Every subgraph has a query root: federation adds ``_service`` to it (so does this)."""
    kept = [
        n
        for n in document.definitions
        if not (
            isinstance(n, ObjectTypeDefinitionNode)
            and n.name.value == "Query"
            and not n.fields
            and not n.directives
        )
    ]
    has_query = any(
        isinstance(n, TypeDefinitionNode | TypeExtensionNode) and n.name.value == "Query"
        for n in kept
    )
    if not has_query:
        kept.extend(parse("type Query { _service: String }", no_location=True).definitions)
    return DocumentNode(definitions=tuple(kept))


def expand_subgraph(name: str, url: str, sdl: str) -> Subgraph | CompositionError:
    """Expand one subgraph's SDL, or say (with Apollo's code) why it is not a valid subgraph."""
    try:
        return _expand(name, url, sdl)
    except _Expansion as failure:
        return failure.problem


def _expand(name: str, url: str, sdl: str) -> Subgraph:
    if name == "_":
        raise _fail(name, "INVALID_SUBGRAPH_NAME", 'Invalid subgraph name: "_" is reserved')
    try:
        document = parse(sdl, no_location=True)
    except GraphQLError as problem:
        raise _fail(name, "INVALID_GRAPHQL", problem.message) from problem
    try:
        links = parse_links(_schema_directives(document))
    except LinkError as problem:
        raise _fail(name, "INVALID_LINK_DIRECTIVE_USAGE", str(problem)) from problem
    version, local_names = _federation_names(name, links)
    to_canonical = {local: canonical for canonical, local in local_names.items()}
    written = {
        to_canonical[node.name.value]: node
        for node in document.definitions
        if isinstance(node, DirectiveDefinitionNode) and node.name.value in to_canonical
    }
    document = _normalize_roots(name, visit(document, _Normalizer(to_canonical)))
    document, orphans = _orphan_extensions_to_definitions(document)
    document = _with_query_root(document)
    keys, extension_types = _collect_keys(document, orphans, name)
    return Subgraph(
        name=name,
        url=url,
        schema=_build(name, document),
        federation_version=version,
        links=tuple(links),
        local_names=local_names,
        keys=keys,
        extension_types=extension_types,
        document=document,
        written_definitions=written,
    )


def rebuilt(subgraph: Subgraph, document: DocumentNode) -> Subgraph:
    """``subgraph`` with its schema built from an edited ``document``."""
    return replace(subgraph, schema=_build(subgraph.name, document), document=document)
