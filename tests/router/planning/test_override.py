"""``@override``: the overriding subgraph resolves the field, the overridden one never does."""

from __future__ import annotations

from tests.router.planning.support import SHOP_SUBGRAPHS, plan_for


def test_overridden_field_goes_to_the_new_owner() -> None:
    query = "{ media { ... on Book { title stock } } }"
    assert plan_for(SHOP_SUBGRAPHS, query) == EXPECTED_OVERRIDDEN_FIELD_GOES_TO_THE_NEW_OWNER


EXPECTED_OVERRIDDEN_FIELD_GOES_TO_THE_NEW_OWNER = """\
QueryPlan {
  Sequence {
    Fetch(service: "catalog") {
      {
        media {
          __typename
          ... on Book {
            title
            __typename
            id
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
          }
        } =>
        {
          ... on Book {
            stock
          }
        }
      },
    },
  },
}"""
