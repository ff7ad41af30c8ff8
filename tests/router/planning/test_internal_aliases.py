"""Internal aliases: the planner's keys, ``@requires`` fields and ``__typename`` never share
a response key with a client field that names something else
(``router.planning.internal_aliases``)."""

from __future__ import annotations

from tests.router.planning.support import FLEET_SUBGRAPHS, plan_for


def test_key_under_a_client_alias_is_fetched_under_an_internal_alias() -> None:
    """A client alias takes the key's name (corpus case 158): the key gets an internal alias
    and the representation is built from it; Apollo Gateway lets the key evict ``upc: name``."""
    query = "{ topProducts { upc: name inStock } }"
    assert (
        plan_for(FLEET_SUBGRAPHS, query)
        == EXPECTED_KEY_UNDER_A_CLIENT_ALIAS_IS_FETCHED_UNDER_AN_INTERNAL_ALIAS
    )


EXPECTED_KEY_UNDER_A_CLIENT_ALIAS_IS_FETCHED_UNDER_AN_INTERNAL_ALIAS = """\
QueryPlan {
  Sequence {
    Fetch(service: "products") {
      {
        topProducts {
          upc: name
          __typename
          __internal_upc: upc
        }
      }
    },
    Flatten(path: "topProducts.@") {
      Fetch(service: "inventory") {
        {
          ... on Product {
            __typename
            __internal_upc: upc
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


def test_required_fields_under_client_aliases_get_internal_aliases() -> None:
    """The client swaps ``price`` and ``weight`` (corpus case 043): the ``@requires`` fields
    are fetched under internal aliases and sent under their names; Apollo Gateway sends the
    client's values."""
    query = "{ topProducts { weight: price price: weight shippingEstimate } }"
    assert (
        plan_for(FLEET_SUBGRAPHS, query)
        == EXPECTED_REQUIRED_FIELDS_UNDER_CLIENT_ALIASES_GET_INTERNAL_ALIASES
    )


EXPECTED_REQUIRED_FIELDS_UNDER_CLIENT_ALIASES_GET_INTERNAL_ALIASES = """\
QueryPlan {
  Sequence {
    Fetch(service: "products") {
      {
        topProducts {
          weight: price
          price: weight
          __typename
          upc
          __internal_price: price
          __internal_weight: weight
        }
      }
    },
    Flatten(path: "topProducts.@") {
      Fetch(service: "inventory") {
        {
          ... on Product {
            __typename
            upc
            __internal_price: price
            __internal_weight: weight
          }
        } =>
        {
          ... on Product {
            shippingEstimate
          }
        }
      },
    },
  },
}"""


def test_client_alias_after_the_required_field_is_kept() -> None:
    """The same with the client's fields after ``shippingEstimate``: the order does not matter."""
    query = "{ topProducts { shippingEstimate weight: price price: weight } }"
    assert (
        plan_for(FLEET_SUBGRAPHS, query) == EXPECTED_CLIENT_ALIAS_AFTER_THE_REQUIRED_FIELD_IS_KEPT
    )


EXPECTED_CLIENT_ALIAS_AFTER_THE_REQUIRED_FIELD_IS_KEPT = """\
QueryPlan {
  Sequence {
    Fetch(service: "products") {
      {
        topProducts {
          __typename
          upc
          __internal_price: price
          __internal_weight: weight
          weight: price
          price: weight
        }
      }
    },
    Flatten(path: "topProducts.@") {
      Fetch(service: "inventory") {
        {
          ... on Product {
            __typename
            upc
            __internal_price: price
            __internal_weight: weight
          }
        } =>
        {
          ... on Product {
            shippingEstimate
          }
        }
      },
    },
  },
}"""


def test_key_fetched_in_an_entity_fetch_avoids_a_client_alias_fetched_later() -> None:
    """The key of ``product`` comes from reviews, the client's ``upc: name`` from products: the
    alias is chosen per object, whichever fetch fills it."""
    query = "{ me { reviews { product { upc: name } } } }"
    assert (
        plan_for(FLEET_SUBGRAPHS, query)
        == EXPECTED_KEY_FETCHED_IN_AN_ENTITY_FETCH_AVOIDS_A_CLIENT_ALIAS_FETCHED_LATER
    )


EXPECTED_KEY_FETCHED_IN_AN_ENTITY_FETCH_AVOIDS_A_CLIENT_ALIAS_FETCHED_LATER = """\
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
                __internal_upc: upc
              }
            }
          }
        }
      },
    },
    Flatten(path: "me.reviews.@.product") {
      Fetch(service: "products") {
        {
          ... on Product {
            __typename
            __internal_upc: upc
          }
        } =>
        {
          ... on Product {
            upc: name
          }
        }
      },
    },
  },
}"""


def test_internal_alias_taken_by_the_client_gets_a_suffix() -> None:
    """The client may use an internal alias too: the planner takes the next free one."""
    query = "{ topProducts { upc: name __internal_upc: name inStock } }"
    assert (
        plan_for(FLEET_SUBGRAPHS, query)
        == EXPECTED_INTERNAL_ALIAS_TAKEN_BY_THE_CLIENT_GETS_A_SUFFIX
    )


EXPECTED_INTERNAL_ALIAS_TAKEN_BY_THE_CLIENT_GETS_A_SUFFIX = """\
QueryPlan {
  Sequence {
    Fetch(service: "products") {
      {
        topProducts {
          upc: name
          __internal_upc: name
          __typename
          __internal_upc_2: upc
        }
      }
    },
    Flatten(path: "topProducts.@") {
      Fetch(service: "inventory") {
        {
          ... on Product {
            __typename
            __internal_upc_2: upc
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


def test_typename_under_a_client_alias_is_fetched_under_an_internal_alias() -> None:
    """The representation's ``__typename`` is read from the internal alias."""
    query = "{ topProducts { __typename: name inStock } }"
    assert (
        plan_for(FLEET_SUBGRAPHS, query)
        == EXPECTED_TYPENAME_UNDER_A_CLIENT_ALIAS_IS_FETCHED_UNDER_AN_INTERNAL_ALIAS
    )


EXPECTED_TYPENAME_UNDER_A_CLIENT_ALIAS_IS_FETCHED_UNDER_AN_INTERNAL_ALIAS = """\
QueryPlan {
  Sequence {
    Fetch(service: "products") {
      {
        topProducts {
          __typename: name
          __internal___typename: __typename
          upc
        }
      }
    },
    Flatten(path: "topProducts.@") {
      Fetch(service: "inventory") {
        {
          ... on Product {
            __internal___typename: __typename
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
