"""Supergraph -> API schema: what clients see.

Mirrors Apollo's ``toAPISchema``: drop every element marked ``@inaccessible`` (under whatever
name the supergraph links it), then drop every element of every ``@link``-ed feature (the
``join__*``/``link__*`` machinery, ``@tag``, ``@authenticated``, composed directives, ...).
"""

from __future__ import annotations

from typing import Any

from graphql import (
    REMOVE,
    DirectiveDefinitionNode,
    DirectiveNode,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    NamedTypeNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    TypeDefinitionNode,
    TypeExtensionNode,
    Visitor,
    build_ast_schema,
    parse,
    visit,
)

from .links import Link, LinkError, parse_links

__all__ = ["ApiSchemaError", "api_schema_document", "api_schema_from_supergraph"]

_INACCESSIBLE_IDENTITY = "https://specs.apollo.dev/inaccessible"


class ApiSchemaError(GraphQLError):
    """The supergraph cannot be turned into an API schema (``extensions.code`` says why)."""

    def __init__(self, message: str, code: str = "INVALID_SUPERGRAPH") -> None:
        super().__init__(message, extensions={"code": code})


def _document_of(schema: GraphQLSchema) -> DocumentNode:
    """Rebuild the source document of a schema built from SDL (its AST nodes keep directives)."""
    nodes: list[Any] = []
    if schema.ast_node is not None:
        nodes.append(schema.ast_node)
    nodes.extend(schema.extension_ast_nodes)
    for directive in schema.directives:
        if directive.ast_node is not None:
            nodes.append(directive.ast_node)
    for named in schema.type_map.values():
        if named.ast_node is not None:
            nodes.append(named.ast_node)
        nodes.extend(getattr(named, "extension_ast_nodes", ()) or ())
    if not nodes:
        raise ApiSchemaError("the schema was not built from SDL, so its directives are unknown")
    return DocumentNode(definitions=tuple(nodes))


def _schema_links(document: DocumentNode) -> list[Link]:
    directives: list[Any] = []
    for node in document.definitions:
        if isinstance(node, SchemaDefinitionNode | SchemaExtensionNode):
            directives.extend(node.directives or ())
    try:
        return parse_links(directives)
    except LinkError as error:
        raise ApiSchemaError(str(error)) from error


def _has_directive(node: Any, name: str | None) -> bool:
    return name is not None and any(d.name.value == name for d in node.directives or ())


class _InaccessibleRemover(Visitor):
    def __init__(self, directive: str | None, removed_types: set[str]) -> None:
        super().__init__()
        self.directive = directive
        self.removed_types = removed_types

    def _drop(self, node: Any, *_: Any) -> Any:
        return REMOVE if _has_directive(node, self.directive) else None

    enter_field_definition = _drop
    enter_input_value_definition = _drop
    enter_enum_value_definition = _drop

    def enter(self, node: Any, *_: Any) -> Any:
        if isinstance(node, TypeDefinitionNode | TypeExtensionNode) and (
            node.name.value in self.removed_types
        ):
            return REMOVE
        return None

    def enter_named_type(self, node: NamedTypeNode, _key: Any, parent: Any, *_: Any) -> Any:
        # Only union members and implemented interfaces can be dropped; any other
        # reference to a removed type is an error that schema building reports.
        if node.name.value in self.removed_types and isinstance(parent, tuple | list):
            return REMOVE
        return None


class _FeatureRemover(Visitor):
    def __init__(self, links: list[Link]) -> None:
        super().__init__()
        self.links = links

    def _owns_directive(self, name: str) -> bool:
        return any(link.owns_directive(name) for link in self.links)

    def enter_directive(self, node: DirectiveNode, *_: Any) -> Any:
        return REMOVE if self._owns_directive(node.name.value) else None

    def enter_directive_definition(self, node: DirectiveDefinitionNode, *_: Any) -> Any:
        return REMOVE if self._owns_directive(node.name.value) else None

    def enter(self, node: Any, *_: Any) -> Any:
        if isinstance(node, TypeDefinitionNode | TypeExtensionNode) and any(
            link.owns_type(node.name.value) for link in self.links
        ):
            return REMOVE
        return None


def _inaccessible_types(document: DocumentNode, directive: str | None) -> set[str]:
    return {
        node.name.value
        for node in document.definitions
        if isinstance(node, TypeDefinitionNode | TypeExtensionNode)
        and _has_directive(node, directive)
    }


def api_schema_document(supergraph: str | DocumentNode | GraphQLSchema) -> DocumentNode:
    """The API schema of ``supergraph`` as a document (feature and inaccessible parts removed)."""
    if isinstance(supergraph, GraphQLSchema):
        document = _document_of(supergraph)
    elif isinstance(supergraph, str):
        document = parse(supergraph, no_location=True)
    else:
        document = supergraph
    links = _schema_links(document)
    inaccessible = next(
        (
            link.directive_name("inaccessible")
            for link in links
            if link.identity == _INACCESSIBLE_IDENTITY
        ),
        None,
    )
    removed = _inaccessible_types(document, inaccessible)
    document = visit(document, _InaccessibleRemover(inaccessible, removed))
    document = visit(document, _FeatureRemover(links))
    return _drop_empty_schema_definition(document)


def _drop_empty_schema_definition(document: DocumentNode) -> DocumentNode:
    kept = tuple(
        node
        for node in document.definitions
        if not (isinstance(node, SchemaExtensionNode) and not node.operation_types)
    )
    return DocumentNode(definitions=kept)


def api_schema_from_supergraph(supergraph: str | DocumentNode | GraphQLSchema) -> GraphQLSchema:
    """Build the client-facing schema from a supergraph SDL, document or SDL-built schema."""
    document = api_schema_document(supergraph)
    try:
        return build_ast_schema(document, assume_valid_sdl=False)
    except (GraphQLError, TypeError) as error:
        raise ApiSchemaError(f"the API schema of this supergraph is invalid: {error}") from error
