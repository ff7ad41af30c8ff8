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
