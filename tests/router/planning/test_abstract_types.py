"""Interfaces and unions: selections are planned per runtime type."""

from __future__ import annotations

from tests.router.planning.support import SHOP_SUBGRAPHS, plan_for


def test_interface_fields_split_per_implementation() -> None:
    query = "{ media { title ... on Book { rating } ... on Movie { minutes } } }"
    assert plan_for(SHOP_SUBGRAPHS, query) == EXPECTED_INTERFACE_FIELDS_SPLIT_PER_IMPLEMENTATION


EXPECTED_INTERFACE_FIELDS_SPLIT_PER_IMPLEMENTATION = """\
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
          ... on Movie {
            title
            minutes
          }
        }
      }
    },
    Flatten(path: "media.@") {
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
  },
}"""


def test_union_members_go_to_their_own_subgraphs() -> None:
    query = (
        '{ search(term: "*") { __typename ... on Book { rating } ... on Author { followers } } }'
    )
    assert plan_for(SHOP_SUBGRAPHS, query) == EXPECTED_UNION_MEMBERS_GO_TO_THEIR_OWN_SUBGRAPHS


EXPECTED_UNION_MEMBERS_GO_TO_THEIR_OWN_SUBGRAPHS = """\
QueryPlan {
  Sequence {
    Fetch(service: "catalog") {
      {
        search(term: "*") {
          __typename
          ... on Author {
            __typename
            handle
          }
          ... on Book {
            __typename
            id
          }
          ... on Movie {
            __typename
          }
        }
      }
    },
    Flatten(path: "search.@") {
      Fetch(service: "reviews") {
        {
          ... on Author {
            __typename
            handle
          }
          ... on Book {
            __typename
            id
          }
        } =>
        {
          ... on Author {
            followers
          }
          ... on Book {
            rating
          }
        }
      },
    },
  },
}"""


def test_fragment_on_interface_inside_union() -> None:
    query = '{ search(term: "e") { ... on Media { id title } } }'
    assert plan_for(SHOP_SUBGRAPHS, query) == EXPECTED_FRAGMENT_ON_INTERFACE_INSIDE_UNION


EXPECTED_FRAGMENT_ON_INTERFACE_INSIDE_UNION = """\
QueryPlan {
  Fetch(service: "catalog") {
    {
      search(term: "e") {
        __typename
        ... on Book {
          id
          title
        }
        ... on Movie {
          id
          title
        }
      }
    }
  },
}"""
