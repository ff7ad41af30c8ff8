"""Plan nodes: the subgraph operation text, fetch counting and the Apollo-style printer."""

from __future__ import annotations

from router.plan import (
    Flatten,
    FlattenBranch,
    Parallel,
    PlanField,
    PlanFragment,
    QueryPlan,
    Sequence,
    count_fetches,
    count_waves,
    format_plan,
    make_fetch,
)

UPC = PlanField(None, "upc", "", ())
TYPENAME = PlanField(None, "__typename", "", ())


def test_root_fetch_operation_text() -> None:
    fetch = make_fetch(
        "products",
        (PlanField("top", "topProducts", "(first: $n)", (UPC,)),),
        variable_definitions=("$n: Int",),
        variable_usages=("n",),
    )
    assert fetch.operation == "query($n: Int){top:topProducts(first: $n){upc}}"


def test_mutation_fetch_operation_text() -> None:
    fetch = make_fetch("catalog", (PlanField(None, "rename", '(id: "1")', ()),), kind="mutation")
    assert fetch.operation == 'mutation{rename(id: "1")}'


def test_entity_fetch_operation_and_requires_index() -> None:
    requires = (PlanFragment("Product", (TYPENAME, UPC)),)
    selection = (PlanFragment("Product", (PlanField(None, "inStock", "", ()),)),)
    fetch = make_fetch("inventory", selection, requires=requires)
    assert fetch.operation == (
        "query($representations:[_Any!]!){_entities(representations:$representations)"
        "{...on Product{inStock}}}"
    )
    assert fetch.requires_by_type == {"Product": (TYPENAME, UPC)}


def test_printer_and_fetch_count() -> None:
    root = make_fetch("products", (PlanField(None, "topProducts", "", (TYPENAME, UPC)),))
    entity = make_fetch(
        "inventory",
        (PlanFragment("Product", (PlanField(None, "inStock", "", ()),)),),
        requires=(PlanFragment("Product", (TYPENAME, UPC)),),
    )
    accounts = make_fetch(
        "accounts", (PlanField(None, "me", "", (PlanField(None, "name", "", ()),)),)
    )
    plan = QueryPlan(Parallel((Sequence((root, Flatten(("topProducts", "@"), entity))), accounts)))
    assert count_fetches(plan.node) == 3
    assert count_waves(plan.node) == 2
    assert format_plan(plan) == EXPECTED


def test_merged_flatten_prints_its_paths_and_counts_one_fetch() -> None:
    entity = make_fetch(
        "inventory",
        (PlanFragment("Product", (PlanField(None, "inStock", "", ()),)),),
        requires=(PlanFragment("Product", (TYPENAME, UPC)),),
    )
    branches = (FlattenBranch(("a", "@"), None), FlattenBranch(("b",), None))
    node = Flatten(("a", "@"), entity, branches)
    assert count_fetches(node) == count_waves(node) == 1
    assert format_plan(QueryPlan(node)).splitlines()[1] == '  Flatten(paths: ["a.@", "b"]) {'


EXPECTED = """\
QueryPlan {
  Parallel {
    Sequence {
      Fetch(service: "products") {
        {
          topProducts {
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
    Fetch(service: "accounts") {
      {
        me {
          name
        }
      }
    },
  },
}"""
