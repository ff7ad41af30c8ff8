"""``@skip``/``@include`` and variables: conditions are applied before planning."""

from __future__ import annotations

from tests.router.planning.support import FLEET_SUBGRAPHS, plan_for


def test_skipped_entity_field_needs_no_fetch() -> None:
    query = "query($s: Boolean!) { topProducts { name inStock @skip(if: $s) } }"
    variables = {"s": True}
    assert (
        plan_for(FLEET_SUBGRAPHS, query, variables) == EXPECTED_SKIPPED_ENTITY_FIELD_NEEDS_NO_FETCH
    )


EXPECTED_SKIPPED_ENTITY_FIELD_NEEDS_NO_FETCH = """\
QueryPlan {
  Fetch(service: "products") {
    {
      topProducts {
        name
      }
    }
  },
}"""


def test_included_entity_field_is_fetched() -> None:
    query = "query($s: Boolean!) { topProducts { name inStock @skip(if: $s) } }"
    variables = {"s": False}
    assert plan_for(FLEET_SUBGRAPHS, query, variables) == EXPECTED_INCLUDED_ENTITY_FIELD_IS_FETCHED


EXPECTED_INCLUDED_ENTITY_FIELD_IS_FETCHED = """\
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


def test_variables_are_forwarded_to_the_subgraph() -> None:
    query = "query($n: Int) { topProducts(first: $n) { upc } }"
    variables = {"n": 1}
    assert (
        plan_for(FLEET_SUBGRAPHS, query, variables)
        == EXPECTED_VARIABLES_ARE_FORWARDED_TO_THE_SUBGRAPH
    )


EXPECTED_VARIABLES_ARE_FORWARDED_TO_THE_SUBGRAPH = """\
QueryPlan {
  Fetch(service: "products") {
    {
      topProducts(first: $n) {
        upc
      }
    }
  },
}"""


def test_aliases_and_fragments_are_kept() -> None:
    query = "{ a: topProducts { u: upc ...P } } fragment P on Product { n: name }"
    assert plan_for(FLEET_SUBGRAPHS, query) == EXPECTED_ALIASES_AND_FRAGMENTS_ARE_KEPT


EXPECTED_ALIASES_AND_FRAGMENTS_ARE_KEPT = """\
QueryPlan {
  Fetch(service: "products") {
    {
      a: topProducts {
        u: upc
        n: name
      }
    }
  },
}"""
