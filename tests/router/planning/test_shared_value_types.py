"""Value types (no ``@key``) whose fields are spread over subgraphs: a field the current
subgraph lacks is reached from the nearest ancestor another subgraph can start from, the root
(``@shareable`` root fields) or an entity (its key), and the path down to it is re-selected
there. Each test records Apollo Gateway's plan for the same supergraph as the reference."""

from __future__ import annotations

from tests.router.planning.support import fetch_count, plan_for

_HEADER = (
    'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", '
    'import: ["@key", "@shareable"])\n'
)

SHARED_ROOT = {
    "a": _HEADER + "type Query { config: Config @shareable }\ntype Config @shareable { a: Int }",
    "b": _HEADER + "type Query { config: Config @shareable }\ntype Config @shareable { b: Int }",
}


def test_shareable_root_field_is_asked_of_every_subgraph_it_needs() -> None:
    planned = plan_for(SHARED_ROOT, "{ config { a b } }")
    assert planned == EXPECTED_SHAREABLE_ROOT_FIELD
    assert fetch_count(planned) <= fetch_count(APOLLO_SHAREABLE_ROOT_FIELD)


EXPECTED_SHAREABLE_ROOT_FIELD = """\
QueryPlan {
  Parallel {
    Fetch(service: "a") {
      {
        config {
          a
        }
      }
    },
    Fetch(service: "b") {
      {
        config {
          b
        }
      }
    },
  },
}"""

APOLLO_SHAREABLE_ROOT_FIELD = EXPECTED_SHAREABLE_ROOT_FIELD


def test_a_root_field_already_asked_of_a_subgraph_shares_its_fetch() -> None:
    subgraphs = {
        "a": SHARED_ROOT["a"],
        "b": SHARED_ROOT["b"].replace("type Query {", "type Query { version: Int"),
    }
    planned = plan_for(subgraphs, "{ version config { a b } }")
    assert planned == EXPECTED_ROOT_FIELD_SHARES_ITS_FETCH
    assert fetch_count(planned) <= fetch_count(APOLLO_ROOT_FIELD_SHARES_ITS_FETCH)


EXPECTED_ROOT_FIELD_SHARES_ITS_FETCH = """\
QueryPlan {
  Parallel {
    Fetch(service: "b") {
      {
        version
        config {
          b
        }
      }
    },
    Fetch(service: "a") {
      {
        config {
          a
        }
      }
    },
  },
}"""

APOLLO_ROOT_FIELD_SHARES_ITS_FETCH = EXPECTED_ROOT_FIELD_SHARES_ITS_FETCH


PARENT_ENTITY = {
    "a": _HEADER
    + """
type Query { products: [Product] }
type Product @key(fields: "id") { id: ID! name: String details: Details @shareable }
type Details @shareable { size: Int }
""",
    "b": _HEADER
    + """
type Product @key(fields: "id") { id: ID! details: Details @shareable }
type Details @shareable { x: Int }
""",
}


def test_value_type_field_is_fetched_through_the_parent_entity() -> None:
    planned = plan_for(PARENT_ENTITY, "{ products { name details { size x } } }")
    assert planned == EXPECTED_THROUGH_THE_PARENT_ENTITY
    assert fetch_count(planned) <= fetch_count(APOLLO_THROUGH_THE_PARENT_ENTITY)


EXPECTED_THROUGH_THE_PARENT_ENTITY = """\
QueryPlan {
  Sequence {
    Fetch(service: "a") {
      {
        products {
          name
          details {
            size
          }
          __typename
          id
        }
      }
    },
    Flatten(path: "products.@") {
      Fetch(service: "b") {
        {
          ... on Product {
            __typename
            id
          }
        } =>
        {
          ... on Product {
            details {
              x
            }
          }
        }
      },
    },
  },
}"""

APOLLO_THROUGH_THE_PARENT_ENTITY = """\
QueryPlan {
  Sequence {
    Fetch(service: "a") {
      {
        products {
          __typename
          id
          name
          details {
            size
          }
        }
      }
    },
    Flatten(path: "products.@") {
      Fetch(service: "b") {
        {
          ... on Product {
            __typename
            id
          }
        } =>
        {
          ... on Product {
            details {
              x
            }
          }
        }
      },
    },
  },
}"""


# Owner is an entity below the shared root value type Config; Prefs.lang is only in b.
NESTED = {
    "a": _HEADER
    + """
type Query { config: Config @shareable }
type Config @shareable { a: Int owner: Owner }
type Owner @key(fields: "id") { id: ID! prefs: Prefs @shareable }
type Prefs @shareable { theme: String }
""",
    "b": _HEADER
    + """
type Query { config: Config @shareable }
type Config @shareable { b: Int }
type Owner @key(fields: "id") { id: ID! prefs: Prefs @shareable }
type Prefs @shareable { lang: String mode: Mode @shareable }
type Mode @shareable { dark: Boolean }
""",
}


def test_nearest_entity_ancestor_is_preferred_to_the_root() -> None:
    planned = plan_for(NESTED, "{ config { a owner { prefs { theme lang mode { dark } } } } }")
    assert planned == EXPECTED_NEAREST_ENTITY_ANCESTOR
    assert fetch_count(planned) <= fetch_count(APOLLO_NEAREST_ENTITY_ANCESTOR)


EXPECTED_NEAREST_ENTITY_ANCESTOR = """\
QueryPlan {
  Sequence {
    Fetch(service: "a") {
      {
        config {
          a
          owner {
            prefs {
              theme
            }
            __typename
            id
          }
        }
      }
    },
    Flatten(path: "config.owner") {
      Fetch(service: "b") {
        {
          ... on Owner {
            __typename
            id
          }
        } =>
        {
          ... on Owner {
            prefs {
              lang
              mode {
                dark
              }
            }
          }
        }
      },
    },
  },
}"""

APOLLO_NEAREST_ENTITY_ANCESTOR = """\
QueryPlan {
  Sequence {
    Fetch(service: "a") {
      {
        config {
          a
          owner {
            __typename
            id
            prefs {
              theme
            }
          }
        }
      }
    },
    Flatten(path: "config.owner") {
      Fetch(service: "b") {
        {
          ... on Owner {
            __typename
            id
          }
        } =>
        {
          ... on Owner {
            prefs {
              lang
              mode {
                dark
              }
            }
          }
        }
      },
    },
  },
}"""


# The path down from the root goes through a union member.
FEED = {
    "a": _HEADER
    + """
type Query { feed: [Post] @shareable }
union Post = Article | Video
type Article @shareable { id: ID! meta: Meta }
type Video @shareable { id: ID! }
type Meta @shareable { size: Int }
""",
    "b": _HEADER
    + """
type Query { feed: [Post] @shareable }
union Post = Article | Video
type Article @shareable { id: ID! meta: Meta }
type Video @shareable { id: ID! }
type Meta @shareable { x: Int }
""",
}


def test_path_from_the_root_keeps_its_type_conditions() -> None:
    planned = plan_for(FEED, "{ feed { ... on Article { meta { size x } } ... on Video { id } } }")
    assert planned == EXPECTED_PATH_KEEPS_TYPE_CONDITIONS
    assert fetch_count(planned) <= fetch_count(APOLLO_PATH_KEEPS_TYPE_CONDITIONS)


EXPECTED_PATH_KEEPS_TYPE_CONDITIONS = """\
QueryPlan {
  Parallel {
    Fetch(service: "a") {
      {
        feed {
          __typename
          ... on Article {
            meta {
              size
            }
          }
          ... on Video {
            id
          }
        }
      }
    },
    Fetch(service: "b") {
      {
        feed {
          __typename
          ... on Article {
            meta {
              x
            }
          }
        }
      }
    },
  },
}"""

APOLLO_PATH_KEEPS_TYPE_CONDITIONS = EXPECTED_PATH_KEEPS_TYPE_CONDITIONS


# Each subgraph holds part of the shared root value; Deeper.y is only in c, two levels below.
THREE = {
    "a": _HEADER + "type Query { config: Config @shareable }\ntype Config @shareable { a: Int }",
    "b": _HEADER
    + """type Query { config: Config @shareable }
type Config @shareable { nested: Nested }
type Nested @shareable { x: Int deeper: Deeper }
type Deeper @shareable { z: Int }""",
    "c": _HEADER
    + """type Query { config: Config @shareable }
type Config @shareable { nested: Nested }
type Nested @shareable { deeper: Deeper }
type Deeper @shareable { y: Int }""",
}


def test_a_hop_from_a_hop_starts_from_the_root_again() -> None:
    planned = plan_for(THREE, "{ config { a nested { x deeper { y z } } } }")
    assert planned == EXPECTED_HOP_FROM_A_HOP
    assert fetch_count(planned) <= fetch_count(APOLLO_HOP_FROM_A_HOP)


EXPECTED_HOP_FROM_A_HOP = """\
QueryPlan {
  Parallel {
    Fetch(service: "a") {
      {
        config {
          a
        }
      }
    },
    Fetch(service: "b") {
      {
        config {
          nested {
            x
            deeper {
              z
            }
          }
        }
      }
    },
    Fetch(service: "c") {
      {
        config {
          nested {
            deeper {
              y
            }
          }
        }
      }
    },
  },
}"""

APOLLO_HOP_FROM_A_HOP = EXPECTED_HOP_FROM_A_HOP
