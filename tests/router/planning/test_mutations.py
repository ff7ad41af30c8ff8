"""Mutations: root fields run in order, consecutive fields of one subgraph share a fetch."""

from __future__ import annotations

from tests.router.planning.support import SHOP_SUBGRAPHS, plan_for


def test_mutation_root_fields_run_in_sequence() -> None:
    query = (
        'mutation { a: rename(id: "b1", title: "X") { title } '
        'b: addRating(id: "b1", rating: 1) c: rename(id: "b2", title: "Y") { id } }'
    )
    assert plan_for(SHOP_SUBGRAPHS, query) == EXPECTED_MUTATION_ROOT_FIELDS_RUN_IN_SEQUENCE


EXPECTED_MUTATION_ROOT_FIELDS_RUN_IN_SEQUENCE = """\
QueryPlan {
  Sequence {
    Fetch(service: "catalog") {
      {
        a: rename(id: "b1", title: "X") {
          __typename
          ... on Book {
            title
          }
          ... on Movie {
            title
          }
        }
      }
    },
    Fetch(service: "reviews") {
      {
        b: addRating(id: "b1", rating: 1)
      }
    },
    Fetch(service: "catalog") {
      {
        c: rename(id: "b2", title: "Y") {
          __typename
          ... on Book {
            id
          }
          ... on Movie {
            id
          }
        }
      }
    },
  },
}"""


def test_mutation_entity_fetches_follow_their_root_field() -> None:
    query = (
        'mutation { rename(id: "b1", title: "X") { ... on Book { rating } } '
        'addRating(id: "b2", rating: 3) }'
    )
    assert (
        plan_for(SHOP_SUBGRAPHS, query) == EXPECTED_MUTATION_ENTITY_FETCHES_FOLLOW_THEIR_ROOT_FIELD
    )


EXPECTED_MUTATION_ENTITY_FETCHES_FOLLOW_THEIR_ROOT_FIELD = """\
QueryPlan {
  Sequence {
    Fetch(service: "catalog") {
      {
        rename(id: "b1", title: "X") {
          __typename
          ... on Book {
            __typename
            id
          }
        }
      }
    },
    Flatten(path: "rename") {
      Fetch(service: "reviews") {
        {
          ... on Book {
            __typename
            id
          }
        } =>
        {
          ... on Book {
            rating
          }
        }
      },
    },
    Fetch(service: "reviews") {
      {
        addRating(id: "b2", rating: 3)
      }
    },
  },
}"""
