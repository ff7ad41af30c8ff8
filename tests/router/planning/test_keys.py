"""Entities with several keys: the hop uses a key the current subgraph can provide."""

from __future__ import annotations

from tests.router.planning.support import SHOP_SUBGRAPHS, plan_for


def test_key_known_to_the_current_subgraph_is_used() -> None:
    query = "{ topAuthor { id } }"
    assert plan_for(SHOP_SUBGRAPHS, query) == EXPECTED_KEY_KNOWN_TO_THE_CURRENT_SUBGRAPH_IS_USED


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
    assert plan_for(SHOP_SUBGRAPHS, query) == EXPECTED_OTHER_KEY_IS_FETCHED_FROM_THE_OWNER


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
TWO_HOPS = {
    "a": """
extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])

type Query {
  thing: Thing
}

type Thing @key(fields: "id") @key(fields: "sku") {
  id: ID!
  sku: String!
  name: String
}
""",
    "b": """
extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])

type Thing @key(fields: "sku") {
  sku: String!
  price: Int
}
""",
    "c": """
extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])

type Query {
  things: [Thing]
}

type Thing @key(fields: "id") {
  id: ID!
}
""",
}


def test_key_missing_from_the_current_subgraph_takes_a_hop_first() -> None:
    assert plan_for(TWO_HOPS, "{ things { price name } }") == EXPECTED_TWO_HOPS


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
