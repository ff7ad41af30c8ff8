"""Merged entity fetches: one ``_entities`` request for a subgraph reached from several paths
in the same wave (as Hive Gateway does), printed as ``Flatten(paths: [...])``."""

from __future__ import annotations

from router.plan import count_fetches, count_waves
from tests.router.planning.support import compose_supergraph, plan, plan_for

LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])\n'
SUBGRAPHS = {
    "accounts": LINK
    + 'type Query { me: User } type Mutation { login: User } type User @key(fields: "id") '
    "{ id: ID! }",
    "orders": LINK + 'type User @key(fields: "id") { id: ID! lastOrdered: Product city: City } '
    'type Product @key(fields: "upc", resolvable: false) { upc: ID! } '
    'type City @key(fields: "id", resolvable: false) { id: ID! }',
    "marketing": LINK
    + 'type User @key(fields: "id") { id: ID! recommended(first: Int): [Product] } '
    'type Product @key(fields: "upc", resolvable: false) { upc: ID! }',
    "products": LINK
    + 'type Product @key(fields: "upc") { upc: ID! name: String price: Int sku: String! }',
    "geo": LINK + 'type City @key(fields: "id") { id: ID! population: Int }',
}


def _fetches_and_waves(query: str) -> tuple[int, int]:
    node = plan(compose_supergraph(SUBGRAPHS), query).node
    return count_fetches(node), count_waves(node)


def test_same_wave_fetches_of_one_subgraph_share_one_request() -> None:
    query = "{ me { lastOrdered { name price } recommended(first: 2) { name } } }"
    assert plan_for(SUBGRAPHS, query) == EXPECTED_SAME_WAVE_FETCHES_SHARE_ONE_REQUEST


EXPECTED_SAME_WAVE_FETCHES_SHARE_ONE_REQUEST = """\
QueryPlan {
  Sequence {
    Fetch(service: "accounts") {
      {
        me {
          __typename
          id
        }
      }
    },
    Parallel {
      Flatten(path: "me") {
        Fetch(service: "orders") {
          {
            ... on User {
              __typename
              id
            }
          } =>
          {
            ... on User {
              lastOrdered {
                __typename
                upc
              }
            }
          }
        },
      },
      Flatten(path: "me") {
        Fetch(service: "marketing") {
          {
            ... on User {
              __typename
              id
            }
          } =>
          {
            ... on User {
              recommended(first: 2) {
                __typename
                upc
              }
            }
          }
        },
      },
    },
    Flatten(paths: ["me.lastOrdered", "me.recommended.@"]) {
      Fetch(service: "products") {
        {
          ... on Product {
            __typename
            upc
          }
        } =>
        {
          ... on Product {
            name
            price
          }
        }
      },
    },
  },
}"""


def test_a_non_null_field_only_one_path_asks_for_keeps_the_fetches_apart() -> None:
    # merged, an error in ``sku`` would null the entity for the recommendations too
    query = "{ me { lastOrdered { name sku } recommended(first: 2) { name } } }"
    assert "paths:" not in plan_for(SUBGRAPHS, query)
    assert _fetches_and_waves(query) == (5, 3)


def test_a_response_key_naming_two_fields_keeps_the_fetches_apart() -> None:
    query = "{ me { lastOrdered { name } recommended(first: 2) { name: price } } }"
    assert "paths:" not in plan_for(SUBGRAPHS, query)
    assert _fetches_and_waves(query) == (5, 3)


def test_a_merge_that_would_add_a_wave_is_not_made() -> None:
    # the merged fetch would wait for the geo fetch below orders: a fourth wave
    query = "{ me { lastOrdered { name } city { population } recommended(first: 2) { name } } }"
    assert "paths:" not in plan_for(SUBGRAPHS, query)
    assert _fetches_and_waves(query) == (6, 3)


def test_mutations_are_not_merged() -> None:
    query = "mutation { login { lastOrdered { name } recommended(first: 2) { name } } }"
    assert "paths:" not in plan_for(SUBGRAPHS, query)
    assert _fetches_and_waves(query) == (5, 3)


def test_a_field_non_null_in_its_subgraph_only_is_not_merged_into_other_paths() -> None:
    # ``price`` is nullable in the supergraph (``catalog`` says Int) but ``Int!`` in
    # ``products``: were the two fetches merged, a failing price would null the whole
    # product in products' answer, and with it the name that ``recommended`` asked for.
    subgraphs = {
        **SUBGRAPHS,
        "products": LINK.replace('"@key"', '"@key", "@shareable"')
        + 'type Product @key(fields: "upc") { upc: ID! name: String price: Int! @shareable '
        "sku: String! }",
        "catalog": LINK.replace('"@key"', '"@key", "@shareable"')
        + 'type Product @key(fields: "upc") { upc: ID! price: Int @shareable }',
    }
    query = "{ me { lastOrdered { name price } recommended(first: 2) { name } } }"
    planned = plan_for(subgraphs, query)
    assert "Flatten(paths:" not in planned, planned
    nullable = {**subgraphs, "products": subgraphs["products"].replace("Int!", "Int")}
    assert "Flatten(paths:" in plan_for(nullable, query)
