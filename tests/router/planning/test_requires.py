"""``@requires``: the required fields are fetched first and sent in the representation."""

from __future__ import annotations

from tests.router.planning.support import FLEET_SUBGRAPHS, SHOP_SUBGRAPHS, plan_for


def test_required_fields_come_from_the_parent_fetch() -> None:
    query = "{ topProducts { shippingEstimate } }"
    assert plan_for(FLEET_SUBGRAPHS, query) == EXPECTED_REQUIRED_FIELDS_COME_FROM_THE_PARENT_FETCH


EXPECTED_REQUIRED_FIELDS_COME_FROM_THE_PARENT_FETCH = """\
QueryPlan {
  Sequence {
    Fetch(service: "products") {
      {
        topProducts {
          __typename
          upc
          price
          weight
        }
      }
    },
    Flatten(path: "topProducts.@") {
      Fetch(service: "inventory") {
        {
          ... on Product {
            __typename
            upc
            price
            weight
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


def test_required_fields_missing_from_the_parent_take_a_hop_first() -> None:
    query = "{ me { reviews { product { shippingEstimate } } } }"
    assert (
        plan_for(FLEET_SUBGRAPHS, query)
        == EXPECTED_REQUIRED_FIELDS_MISSING_FROM_THE_PARENT_TAKE_A_HOP_FIRST
    )


EXPECTED_REQUIRED_FIELDS_MISSING_FROM_THE_PARENT_TAKE_A_HOP_FIRST = """\
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
            upc
          }
        } =>
        {
          ... on Product {
            price
            weight
          }
        }
      },
    },
    Flatten(path: "me.reviews.@.product") {
      Fetch(service: "inventory") {
        {
          ... on Product {
            __typename
            upc
            price
            weight
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


def test_requires_field_on_book_in_shop() -> None:
    query = "{ media { ... on Book { shelfWidth } } }"
    assert plan_for(SHOP_SUBGRAPHS, query) == EXPECTED_REQUIRES_FIELD_ON_BOOK_IN_SHOP


EXPECTED_REQUIRES_FIELD_ON_BOOK_IN_SHOP = """\
QueryPlan {
  Sequence {
    Fetch(service: "catalog") {
      {
        media {
          __typename
          ... on Book {
            __typename
            id
            pages
          }
        }
      }
    },
    Flatten(path: "media.@") {
      Fetch(service: "inventory") {
        {
          ... on Book {
            __typename
            id
            pages
          }
        } =>
        {
          ... on Book {
            shelfWidth
          }
        }
      },
    },
  },
}"""


LINK = (
    'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", '
    'import: ["@key", "@external", "@requires", "@provides", "@shareable", "@override"])\n'
)
SAME_SUBGRAPH = {
    "inventory": LINK + "type Query { stocked: [Product] "
    'provided: [Product] @provides(fields: "price") } '
    'type Product @key(fields: "id") { id: ID! price: Int @external '
    'estimate: Int @requires(fields: "price") }',
    "products": LINK + 'type Product @key(fields: "id") { id: ID! price: Int @shareable }',
}


def test_requires_on_an_object_from_the_requiring_subgraph_goes_back_with_the_inputs() -> None:
    # Apollo's plan, except that it sends the representation's fields as "__typename price id"
    assert plan_for(SAME_SUBGRAPH, "{ stocked { estimate } }") == EXPECTED_REQUIRES_GOES_BACK


EXPECTED_REQUIRES_GOES_BACK = """\
QueryPlan {
  Sequence {
    Fetch(service: "inventory") {
      {
        stocked {
          __typename
          id
        }
      }
    },
    Flatten(path: "stocked.@") {
      Fetch(service: "products") {
        {
          ... on Product {
            __typename
            id
          }
        } =>
        {
          ... on Product {
            price
          }
        }
      },
    },
    Flatten(path: "stocked.@") {
      Fetch(service: "inventory") {
        {
          ... on Product {
            __typename
            id
            price
          }
        } =>
        {
          ... on Product {
            estimate
          }
        }
      },
    },
  },
}"""


def test_requires_provided_at_the_path_stays_in_the_fetch_with_its_inputs() -> None:
    assert plan_for(SAME_SUBGRAPH, "{ provided { estimate } }") == EXPECTED_REQUIRES_PROVIDED


EXPECTED_REQUIRES_PROVIDED = """\
QueryPlan {
  Fetch(service: "inventory") {
    {
      provided {
        price
        estimate
      }
    }
  },
}"""

OVERRIDDEN = {
    "catalog": LINK + 'type Query { top: [Product] } type Product @key(fields: "id") { id: ID! }',
    "legacy": LINK + 'type Product @key(fields: "id") { id: ID! price: Int }',
    "pricing": LINK
    + 'type Product @key(fields: "id") { id: ID! price: Int @override(from: "legacy") }',
    "shipping": LINK + 'type Product @key(fields: "id") { id: ID! price: Int @external '
    'cost: Int @requires(fields: "price") }',
    "promo": LINK + "type Query { featured: Product } "
    'type Product @key(fields: "id") { id: ID! price: Int @external '
    'discount: Int @requires(fields: "price") }',
}


def test_overridden_field_required_in_two_subgraphs_from_two_root_fields() -> None:
    # ``featured`` comes from promo, which needs ``price`` (now owned by pricing) for
    # ``discount``: promo is asked again with it, after pricing, merged with ``top``'s call.
    query = "{ top { cost discount } featured { cost discount } }"
    assert plan_for(OVERRIDDEN, query) == EXPECTED_OVERRIDDEN_REQUIRED_FROM_TWO_ROOTS


EXPECTED_OVERRIDDEN_REQUIRED_FROM_TWO_ROOTS = """\
QueryPlan {
  Sequence {
    Parallel {
      Fetch(service: "catalog") {
        {
          top {
            __typename
            id
          }
        }
      },
      Fetch(service: "promo") {
        {
          featured {
            __typename
            id
          }
        }
      },
    },
    Flatten(paths: ["top.@", "featured"]) {
      Fetch(service: "pricing") {
        {
          ... on Product {
            __typename
            id
          }
        } =>
        {
          ... on Product {
            price
          }
        }
      },
    },
    Parallel {
      Flatten(paths: ["top.@", "featured"]) {
        Fetch(service: "shipping") {
          {
            ... on Product {
              __typename
              id
              price
            }
          } =>
          {
            ... on Product {
              cost
            }
          }
        },
      },
      Flatten(paths: ["top.@", "featured"]) {
        Fetch(service: "promo") {
          {
            ... on Product {
              __typename
              id
              price
            }
          } =>
          {
            ... on Product {
              discount
            }
          }
        },
      },
    },
  },
}"""

PRICED = {
    "catalog": LINK + "type Query { top: [Product] } "
    'type Product @key(fields: "id") { id: ID! price(currency: String!): Int }',
    "shipping": LINK + 'type Product @key(fields: "id") { id: ID! '
    "price(currency: String!): Int @external "
    'usCost: Int @requires(fields: "price(currency: \\"USD\\")") '
    'euCost: Int @requires(fields: "price(currency: \\"EUR\\")") }',
}


def test_requires_of_one_field_with_other_arguments_get_their_own_keys_and_fetches() -> None:
    # Apollo fetches price(currency: "EUR") alone and sends it for both fields
    query = "{ top { usCost euCost } }"
    assert plan_for(PRICED, query) == EXPECTED_REQUIRES_WITH_OTHER_ARGUMENTS


EXPECTED_REQUIRES_WITH_OTHER_ARGUMENTS = """\
QueryPlan {
  Sequence {
    Fetch(service: "catalog") {
      {
        top {
          __typename
          id
          price(currency: "USD")
          __internal_price: price(currency: "EUR")
        }
      }
    },
    Parallel {
      Flatten(path: "top.@") {
        Fetch(service: "shipping") {
          {
            ... on Product {
              __typename
              id
              price
            }
          } =>
          {
            ... on Product {
              usCost
            }
          }
        },
      },
      Flatten(path: "top.@") {
        Fetch(service: "shipping") {
          {
            ... on Product {
              __typename
              id
              __internal_price: price
            }
          } =>
          {
            ... on Product {
              euCost
            }
          }
        },
      },
    },
  },
}"""
