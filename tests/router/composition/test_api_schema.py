from __future__ import annotations

import pytest
from graphql import build_ast_schema, parse, print_schema

from router.composition.api_schema import ApiSchemaError, api_schema_from_supergraph

from .cases import FLEET

SUPERGRAPH = """
schema
  @link(url: "https://specs.apollo.dev/link/v1.0")
  @link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)
  @link(url: "https://specs.apollo.dev/inaccessible/v0.2", as: "hidden", for: SECURITY)
  @link(url: "https://specs.apollo.dev/tag/v0.3", import: [{name: "@tag", as: "@label"}])
{
  query: Query
}

directive @hidden on FIELD_DEFINITION | OBJECT | ARGUMENT_DEFINITION | ENUM_VALUE | UNION
directive @label(name: String!) repeatable on FIELD_DEFINITION | OBJECT
directive @join__type(graph: join__Graph!) repeatable on OBJECT | UNION | ENUM
directive @join__graph(name: String!, url: String!) on ENUM_VALUE
directive @link(url: String, as: String, for: link__Purpose, import: [link__Import])
  repeatable on SCHEMA
scalar link__Import
enum link__Purpose { SECURITY EXECUTION }
enum join__Graph { A @join__graph(name: "a", url: "http://a") }

type Query @join__type(graph: A) {
  visible(debug: Boolean @hidden): Thing @label(name: "x")
  secret: Secret @hidden
  search: Result
}
type Thing { id: ID! internal: String @hidden kind: Kind }
type Secret @hidden { x: Int }
type Other { y: Int }
union Result = Thing | Secret | Other
enum Kind { A B @hidden }
"""


def test_removes_inaccessible_elements_under_their_linked_name() -> None:
    printed = print_schema(api_schema_from_supergraph(SUPERGRAPH))
    assert "secret" not in printed and "Secret" not in printed
    assert "internal" not in printed and "debug" not in printed
    assert "union Result = Thing | Other" in printed
    assert "enum Kind {\n  A\n}" in printed


def test_removes_every_linked_feature_including_renamed_imports() -> None:
    printed = print_schema(api_schema_from_supergraph(SUPERGRAPH))
    for feature_name in ("join__", "link__", "@label", "@hidden", "@link"):
        assert feature_name not in printed


def test_accepts_a_schema_built_from_the_supergraph_sdl() -> None:
    sdl = (FLEET / "supergraph.graphql").read_text()
    from_schema = api_schema_from_supergraph(build_ast_schema(parse(sdl)))
    assert print_schema(from_schema) == print_schema(api_schema_from_supergraph(sdl))


def test_reference_to_a_removed_type_is_a_coded_error() -> None:
    broken = SUPERGRAPH.replace("secret: Secret @hidden", "secret: Secret")
    with pytest.raises(ApiSchemaError) as caught:
        api_schema_from_supergraph(broken)
    assert caught.value.extensions == {"code": "INVALID_SUPERGRAPH"}


def test_invalid_link_url_is_a_coded_error() -> None:
    with pytest.raises(ApiSchemaError):
        api_schema_from_supergraph(
            'schema @link(url: "nope") { query: Query } type Query { a: Int }'
        )
