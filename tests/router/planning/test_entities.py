"""Entity fetches: root fields per subgraph, ``_entities`` batches, nested chains."""

from __future__ import annotations

from tests.router.planning.support import FLEET_SUBGRAPHS, plan_for


def test_root_fields_of_one_subgraph_share_one_fetch() -> None:
    query = "{ me { name } users { id } }"
    assert plan_for(FLEET_SUBGRAPHS, query) == EXPECTED_ROOT_FIELDS_OF_ONE_SUBGRAPH_SHARE_ONE_FETCH


EXPECTED_ROOT_FIELDS_OF_ONE_SUBGRAPH_SHARE_ONE_FETCH = """\
QueryPlan {
  Fetch(service: "accounts") {
    {
      me {
        name
      }
      users {
        id
      }
    }
  },
}"""


def test_root_fields_of_several_subgraphs_run_in_parallel() -> None:
    query = "{ me { name } topProducts { name } }"
    assert (
        plan_for(FLEET_SUBGRAPHS, query)
        == EXPECTED_ROOT_FIELDS_OF_SEVERAL_SUBGRAPHS_RUN_IN_PARALLEL
    )


EXPECTED_ROOT_FIELDS_OF_SEVERAL_SUBGRAPHS_RUN_IN_PARALLEL = """\
QueryPlan {
  Parallel {
    Fetch(service: "accounts") {
      {
        me {
          name
        }
      }
    },
    Fetch(service: "products") {
      {
        topProducts {
          name
        }
      }
    },
  },
}"""


def test_entity_fields_of_one_subgraph_share_one_entities_fetch() -> None:
    query = "{ topProducts { name inStock } }"
    assert (
        plan_for(FLEET_SUBGRAPHS, query)
        == EXPECTED_ENTITY_FIELDS_OF_ONE_SUBGRAPH_SHARE_ONE_ENTITIES_FETCH
    )


EXPECTED_ENTITY_FIELDS_OF_ONE_SUBGRAPH_SHARE_ONE_ENTITIES_FETCH = """\
QueryPlan {
  Sequence {
    Fetch(service: "products") {
      {
        topProducts {
          name
          __typename
          upc
        }
      }
    },
    Flatten(path: "topProducts.@") {
      Fetch(service: "inventory") {
        {
          ... on Product {
            __typename
            upc
          }
        } =>
        {
          ... on Product {
            inStock
          }
        }
      },
    },
  },
}"""


def test_nested_entity_chain_runs_in_waves() -> None:
    query = "{ me { reviews { product { name reviews { author { name } } } } } }"
    assert plan_for(FLEET_SUBGRAPHS, query) == EXPECTED_NESTED_ENTITY_CHAIN_RUNS_IN_WAVES


EXPECTED_NESTED_ENTITY_CHAIN_RUNS_IN_WAVES = """\
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
    Flatten(path: "me") {
      Fetch(service: "reviews") {
        {
          ... on User {
            __typename
            id
          }
        } =>
        {
          ... on User {
            reviews {
              product {
                __typename
                upc
                reviews {
                  author {
                    __typename
                    id
                  }
                }
              }
            }
          }
        }
      },
    },
    Parallel {
      Flatten(path: "me.reviews.@.product") {
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
            }
          }
        },
      },
      Flatten(path: "me.reviews.@.product.reviews.@.author") {
        Fetch(service: "accounts") {
          {
            ... on User {
              __typename
              id
            }
          } =>
          {
            ... on User {
              name
            }
          }
        },
      },
    },
  },
}"""


def test_independent_entity_fetches_run_in_parallel() -> None:
    query = "{ topProducts { inStock reviews { body } } }"
    assert plan_for(FLEET_SUBGRAPHS, query) == EXPECTED_INDEPENDENT_ENTITY_FETCHES_RUN_IN_PARALLEL


EXPECTED_INDEPENDENT_ENTITY_FETCHES_RUN_IN_PARALLEL = """\
QueryPlan {
  Sequence {
    Fetch(service: "products") {
      {
        topProducts {
          __typename
          upc
        }
      }
    },
    Parallel {
      Flatten(path: "topProducts.@") {
        Fetch(service: "inventory") {
          {
            ... on Product {
              __typename
              upc
            }
          } =>
          {
            ... on Product {
              inStock
            }
          }
        },
      },
      Flatten(path: "topProducts.@") {
        Fetch(service: "reviews") {
          {
            ... on Product {
              __typename
              upc
            }
          } =>
          {
            ... on Product {
              reviews {
                body
              }
            }
          }
        },
      },
    },
  },
}"""
