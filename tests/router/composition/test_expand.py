from __future__ import annotations

from graphql import GraphQLObjectType

from router.composition.errors import CompositionError
from router.composition.expand import Subgraph, TypeKey, expand_subgraph


def _expand(sdl: str) -> Subgraph:
    result = expand_subgraph("s", "http://s", sdl)
    assert isinstance(result, Subgraph), result
    return result


def test_renamed_and_prefixed_federation_directives_become_canonical() -> None:
    subgraph = _expand("""
        extend schema @link(url: "https://specs.apollo.dev/federation/v2.3",
                             import: [{name: "@key", as: "@id"}])
        type Query { t: T }
        type T @id(fields: "k") { k: ID! v: Int @federation__shareable }
    """)
    assert subgraph.keys == {"T": (TypeKey("k", None, False),)}
    thing = subgraph.schema.type_map["T"]
    assert isinstance(thing, GraphQLObjectType)
    field = thing.fields["v"]
    assert field.ast_node is not None
    assert [d.name.value for d in field.ast_node.directives] == ["shareable"]
    assert subgraph.local_names["key"] == "id"


def test_extension_without_base_is_remembered() -> None:
    subgraph = _expand("""
        extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
        extend type T @key(fields: "k", resolvable: false) { k: ID! }
    """)
    assert subgraph.extension_types == frozenset({"T"})
    assert subgraph.keys["T"] == (TypeKey("k", False, True),)
    assert subgraph.schema.query_type is not None  # federation's query root is always there


def test_federation_definitions_printed_by_a_subgraph_library_are_replaced() -> None:
    subgraph = _expand("""
        schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"]) {
          query: Query
        }
        directive @key(fields: _FieldSet!, resolvable: Boolean = true) repeatable on OBJECT
        scalar _FieldSet
        scalar _Any
        type _Service { sdl: String }
        union _Entity = T
        type Query { _service: _Service! _entities(representations: [_Any!]!): [_Entity]! t: T }
        type T @key(fields: "k") { k: ID! }
    """)
    assert subgraph.schema.get_type("_Service") is None
    assert subgraph.schema.query_type is not None
    assert set(subgraph.schema.query_type.fields) == {"t"}


def test_fed1_subgraph_uses_unprefixed_directives() -> None:
    subgraph = _expand('type Query { t: T } type T @key(fields: "k") { k: ID! }')
    assert subgraph.federation_version is None
    assert subgraph.keys["T"][0].fields == "k"


def _error(sdl: str) -> CompositionError:
    result = expand_subgraph("s", "http://s", sdl)
    assert isinstance(result, CompositionError)
    return result


def test_invalid_sdl_and_unknown_types_are_invalid_graphql() -> None:
    assert _error("type Query {").code == "INVALID_GRAPHQL"
    assert _error("type Query { a: Nope }").code == "INVALID_GRAPHQL"
    assert _error("type Query { a: Nope }").subgraphs == ("s",)


def test_unknown_federation_version_and_unknown_import() -> None:
    versioned = (
        'extend schema @link(url: "https://specs.apollo.dev/federation/v{v}",'
        " import: [{imports}]) type Query {{ a: Int }}"
    )
    assert _error(versioned.format(v="3.0", imports='"@key"')).code == (
        "UNKNOWN_FEDERATION_LINK_VERSION"
    )
    assert _error(versioned.format(v="2.0", imports='"@interfaceObject"')).code == (
        "INVALID_LINK_DIRECTIVE_USAGE"
    )


def test_reserved_subgraph_name() -> None:
    result = expand_subgraph("_", "http://s", "type Query { a: Int }")
    assert isinstance(result, CompositionError)
    assert result.code == "INVALID_SUBGRAPH_NAME"
