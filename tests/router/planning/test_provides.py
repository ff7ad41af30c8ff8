"""``@provides``: a provided field is read where it is provided, with no extra fetch."""

from __future__ import annotations

from tests.router.planning.support import FLEET_SUBGRAPHS, plan_for


def test_provided_field_needs_no_fetch() -> None:
    query = "{ me { reviews { author { username } } } }"
    assert plan_for(FLEET_SUBGRAPHS, query) == EXPECTED_PROVIDED_FIELD_NEEDS_NO_FETCH


EXPECTED_PROVIDED_FIELD_NEEDS_NO_FETCH = """\
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
              author {
                username
              }
            }
          }
        }
      },
    },
  },
}"""


def test_field_not_provided_is_fetched_from_its_owner() -> None:
    query = "{ me { reviews { author { username name } } } }"
    assert plan_for(FLEET_SUBGRAPHS, query) == EXPECTED_FIELD_NOT_PROVIDED_IS_FETCHED_FROM_ITS_OWNER


EXPECTED_FIELD_NOT_PROVIDED_IS_FETCHED_FROM_ITS_OWNER = """\
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
              author {
                username
                __typename
                id
              }
            }
          }
        }
      },
    },
    Flatten(path: "me.reviews.@.author") {
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
}"""
