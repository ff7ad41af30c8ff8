"""``@shareable``: a field several subgraphs resolve is read where no hop is needed."""

from __future__ import annotations

from tests.router.planning.support import SHOP, plan_text


def test_shareable_field_read_from_reviews() -> None:
    query = "{ topAuthor { name followers } }"
    assert plan_text(SHOP, query) == EXPECTED_SHAREABLE_FIELD_READ_FROM_REVIEWS


EXPECTED_SHAREABLE_FIELD_READ_FROM_REVIEWS = """\
QueryPlan {
  Fetch(service: "reviews") {
    {
      topAuthor {
        name
        followers
      }
    }
  },
}"""


def test_shareable_field_read_from_catalog() -> None:
    query = '{ author(id: "a2") { name handle } }'
    assert plan_text(SHOP, query) == EXPECTED_SHAREABLE_FIELD_READ_FROM_CATALOG


EXPECTED_SHAREABLE_FIELD_READ_FROM_CATALOG = """\
QueryPlan {
  Fetch(service: "catalog") {
    {
      author(id: "a2") {
        name
        handle
      }
    }
  },
}"""


# Query.shelf and the Shelf value type are shared by x and y; only y has Shelf.extra.
SHARED_ROOT = """\
schema
  @link(url: "https://specs.apollo.dev/link/v1.0")
  @link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)
{
  query: Query
}

directive @join__enumValue(graph: join__Graph!) repeatable on ENUM_VALUE

directive @join__field(
  graph: join__Graph
  requires: join__FieldSet
  provides: join__FieldSet
  type: String
  external: Boolean
  override: String
  usedOverridden: Boolean
) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION

directive @join__graph(name: String!, url: String!) on ENUM_VALUE

directive @join__implements(
  graph: join__Graph!
  interface: String!
) repeatable on OBJECT | INTERFACE

directive @join__type(
  graph: join__Graph!
  key: join__FieldSet
  extension: Boolean! = false
  resolvable: Boolean! = true
  isInterfaceObject: Boolean! = false
) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR

directive @join__unionMember(graph: join__Graph!, member: String!) repeatable on UNION

directive @link(
  url: String
  as: String
  for: link__Purpose
  import: [link__Import]
) repeatable on SCHEMA

scalar join__FieldSet

enum join__Graph {
  X @join__graph(name: "x", url: "http://127.0.0.1:14271/graphql")
  Y @join__graph(name: "y", url: "http://127.0.0.1:14272/graphql")
}

scalar link__Import

enum link__Purpose {
  SECURITY

  EXECUTION
}

type Query
  @join__type(graph: X)
  @join__type(graph: Y)
{
  shelf: Shelf
}

type Shelf
  @join__type(graph: X)
  @join__type(graph: Y)
{
  id: ID!
  label: String
  extra: Int @join__field(graph: Y)
}
"""


def test_shareable_root_field_goes_where_its_selection_resolves() -> None:
    assert plan_text(SHARED_ROOT, "{ shelf { extra } }") == (
        'QueryPlan {\n  Fetch(service: "y") {\n    {\n      shelf {\n        extra\n'
        "      }\n    }\n  },\n}"
    )
    assert 'Fetch(service: "x")' in plan_text(SHARED_ROOT, "{ shelf { label } }")
