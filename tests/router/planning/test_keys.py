"""Entities with several keys: the hop uses a key the current subgraph can provide."""

from __future__ import annotations

from tests.router.planning.support import SHOP, plan_text


def test_key_known_to_the_current_subgraph_is_used() -> None:
    query = "{ topAuthor { id } }"
    assert plan_text(SHOP, query) == EXPECTED_KEY_KNOWN_TO_THE_CURRENT_SUBGRAPH_IS_USED


EXPECTED_KEY_KNOWN_TO_THE_CURRENT_SUBGRAPH_IS_USED = """\
QueryPlan {
  Sequence {
    Fetch(service: "reviews") {
      {
        topAuthor {
          __typename
          handle
        }
      }
    },
    Flatten(path: "topAuthor") {
      Fetch(service: "catalog") {
        {
          ... on Author {
            __typename
            handle
          }
        } =>
        {
          ... on Author {
            id
          }
        }
      },
    },
  },
}"""


def test_other_key_is_fetched_from_the_owner() -> None:
    query = '{ author(id: "a1") { followers } }'
    assert plan_text(SHOP, query) == EXPECTED_OTHER_KEY_IS_FETCHED_FROM_THE_OWNER


EXPECTED_OTHER_KEY_IS_FETCHED_FROM_THE_OWNER = """\
QueryPlan {
  Sequence {
    Fetch(service: "catalog") {
      {
        author(id: "a1") {
          __typename
          handle
        }
      }
    },
    Flatten(path: "author") {
      Fetch(service: "reviews") {
        {
          ... on Author {
            __typename
            handle
          }
        } =>
        {
          ... on Author {
            followers
          }
        }
      },
    },
  },
}"""


# Thing is keyed by id in c, by id and sku in a, by sku only in b: reaching b from c takes a
# hop to a for the sku first (Apollo Gateway plans the same three fetches).
TWO_HOPS = """\
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
  A @join__graph(name: "a", url: "http://127.0.0.1:14251/graphql")
  B @join__graph(name: "b", url: "http://127.0.0.1:14252/graphql")
  C @join__graph(name: "c", url: "http://127.0.0.1:14253/graphql")
}

scalar link__Import

enum link__Purpose {
  SECURITY

  EXECUTION
}

type Query
  @join__type(graph: A)
  @join__type(graph: B)
  @join__type(graph: C)
{
  thing: Thing @join__field(graph: A)
  things: [Thing] @join__field(graph: C)
}

type Thing
  @join__type(graph: A, key: "id")
  @join__type(graph: A, key: "sku")
  @join__type(graph: B, key: "sku")
  @join__type(graph: C, key: "id")
{
  id: ID! @join__field(graph: A) @join__field(graph: C)
  sku: String! @join__field(graph: A) @join__field(graph: B)
  name: String @join__field(graph: A)
  price: Int @join__field(graph: B)
}
"""


def test_key_missing_from_the_current_subgraph_takes_a_hop_first() -> None:
    assert plan_text(TWO_HOPS, "{ things { price name } }") == EXPECTED_TWO_HOPS


EXPECTED_TWO_HOPS = """\
QueryPlan {
  Sequence {
    Fetch(service: "c") {
      {
        things {
          __typename
          id
        }
      }
    },
    Flatten(path: "things.@") {
      Fetch(service: "a") {
        {
          ... on Thing {
            __typename
            id
          }
        } =>
        {
          ... on Thing {
            sku
            name
          }
        }
      },
    },
    Flatten(path: "things.@") {
      Fetch(service: "b") {
        {
          ... on Thing {
            __typename
            sku
          }
        } =>
        {
          ... on Thing {
            price
          }
        }
      },
    },
  },
}"""
