"""Plan coverage (``router.planning.coverage``): hand-built broken plans are flagged, the
planner's and Apollo Gateway's plans for the fleet corpus are accepted (but for Apollo's
known wrong ones)."""

from __future__ import annotations

import json

import pytest

from router.operation import (
    NormalizedOperation,
    coerce_variables,
    normalize,
    parse_and_validate,
    select_operation,
)
from router.plan import (
    Flatten,
    FlattenBranch,
    Parallel,
    PlanNode,
    QueryPlan,
    Sequence,
)
from router.planning.coverage import CoverageGap, check_plan_coverage
from router.request import RequestError
from tests.fleet.corpus import CORPUS_DIR, CorpusCase, load_corpus
from tests.router.planning.apollo_plans import plan_from_apollo
from tests.router.planning.hand_plans import (
    QUERY_WITH_MERGED_INPUTS,
    entity_fetch,
    merged_inputs_plan,
    plan_selections,
    root_fetch,
)
from tests.router.planning.support import FLEET, SHOP, coverage_gaps, operation, plan, planner

CASES = load_corpus()


def _gaps(
    sdl: str, query: str, node: PlanNode, variables: dict[str, bool] | None = None
) -> list[str]:
    normalized = operation(sdl, query, variables)
    return [
        str(g) for g in check_plan_coverage(normalized, QueryPlan(node), planner(sdl).supergraph)
    ]


IN_STOCK = entity_fetch(
    "topProducts.@",
    "inventory",
    "... on Product { __typename upc }",
    "... on Product { inStock }",
)
TOP_PRODUCT_KEYS = root_fetch("products", "topProducts { __typename upc }")


def test_a_field_no_fetch_selects_is_a_gap() -> None:
    gaps = check_plan_coverage(
        operation(FLEET, "{ topProducts { upc inStock } }"),
        QueryPlan(TOP_PRODUCT_KEYS),
        planner(FLEET).supergraph,
    )
    assert gaps == [
        CoverageGap(("topProducts", "@"), "Product", "inStock", "no fetch selects inStock here")
    ]


def test_an_entity_fetch_after_its_keys_covers_its_fields() -> None:
    plan_node = Sequence((TOP_PRODUCT_KEYS, IN_STOCK))
    assert _gaps(FLEET, "{ topProducts { upc inStock } }", plan_node) == []


def test_an_entity_fetch_beside_the_fetch_of_its_keys_is_a_gap() -> None:
    plan_node = Parallel((TOP_PRODUCT_KEYS, IN_STOCK))
    reads = "the entity fetch to inventory at topProducts.@ reads it before it is fetched"
    assert _gaps(FLEET, "{ topProducts { upc inStock } }", plan_node) == [
        f"topProducts.@ (Product) __typename: {reads} (by products; not in an earlier step)",
        f"topProducts.@ (Product) upc: {reads} (by products; not in an earlier step)",
    ]


def test_an_entity_fetch_whose_inputs_nobody_fetches_is_a_gap() -> None:
    plan_node = Sequence((root_fetch("products", "topProducts { upc }"), IN_STOCK))
    assert _gaps(FLEET, "{ topProducts { upc inStock } }", plan_node) == [
        "topProducts.@ (Product) __typename: the entity fetch to inventory at topProducts.@ "
        "reads it, but no fetch selects it"
    ]


def test_other_arguments_and_another_field_under_the_key_are_gaps() -> None:
    fetch = root_fetch("products", "topProducts(first: 1) { upc }")
    assert _gaps(FLEET, "{ topProducts(first: 2) { upc } }", fetch) == [
        "<root> (Query) topProducts: fetched with arguments (first: 1), not (first: 2)"
    ]
    assert _gaps(FLEET, "{ topProducts(first: 1) { upc: name } }", fetch) == [
        "topProducts.@ (Product) upc: the response key holds upc, not name"
    ]


def test_two_fields_under_one_response_key_are_a_gap() -> None:
    plan_node = Sequence((root_fetch("products", "topProducts { __typename upc name: upc }"),))
    assert _gaps(FLEET, "{ topProducts { upc } }", plan_node) == []
    clash = Sequence(
        (
            TOP_PRODUCT_KEYS,
            entity_fetch(
                "topProducts.@",
                "products",
                "... on Product { __typename upc }",
                "... on Product { upc: name }",
            ),
        )
    )
    assert _gaps(FLEET, "{ topProducts { upc: name } }", clash) == [
        "topProducts.@ (Product) upc: the response key holds both upc (products) and name "
        "(products)"
    ]


def test_skipped_fields_are_not_required_and_included_ones_are() -> None:
    query = "query($s: Boolean!) { topProducts { upc inStock @skip(if: $s) } }"
    skipped_plan = plan(FLEET, query, {"s": True})
    assert "inventory" not in str(skipped_plan)
    supergraph = planner(FLEET).supergraph
    assert check_plan_coverage(operation(FLEET, query, {"s": True}), skipped_plan, supergraph) == []
    assert [
        g.field
        for g in check_plan_coverage(
            operation(FLEET, query, {"s": False}), skipped_plan, supergraph
        )
    ] == ["inStock"]


def test_abstract_objects_need_their_typename_and_each_runtime_type_its_fields() -> None:
    query = "{ media { title ... on Movie { minutes } } }"
    without_typename = root_fetch(
        "catalog", "media { ... on Book { title } ... on Movie { title minutes } }"
    )
    assert _gaps(SHOP, query, without_typename) == [
        "media.@ (Media) __typename: an object of an abstract type is fetched without its "
        "__typename"
    ]
    books_only = root_fetch("catalog", "media { __typename ... on Book { title } }")
    assert _gaps(SHOP, query, books_only) == [
        "media.@ (Movie) title: title is fetched for other types than Movie",
        "media.@ (Movie) minutes: no fetch selects minutes here",
    ]


def test_a_merged_branch_fetches_only_its_ownplan_selections() -> None:
    query = "{ topProducts { upc inStock } me { reviews { product { upc } } } }"
    keys = Parallel(
        (
            TOP_PRODUCT_KEYS,
            Sequence(
                (
                    root_fetch("accounts", "me { __typename id }"),
                    entity_fetch(
                        "me",
                        "reviews",
                        "... on User { __typename id }",
                        "... on User { reviews { product { __typename upc } } }",
                    ),
                )
            ),
        )
    )
    branches = (
        FlattenBranch(("topProducts", "@"), plan_selections("... on Product { __typename }")),
        FlattenBranch(("me", "reviews", "@", "product"), None),
    )
    merged = Flatten(branches[0].path, IN_STOCK.node, branches)
    assert _gaps(FLEET, query, Sequence((keys, merged))) == [
        "topProducts.@ (Product) inStock: no fetch selects inStock here"
    ]


def test_a_merged_fetch_beside_the_fetch_of_its_inputs_is_a_gap() -> None:
    wrong = _gaps(FLEET, QUERY_WITH_MERGED_INPUTS, merged_inputs_plan(inputs_first=False))
    assert [gap.split(": ")[0] for gap in wrong] == [
        "topProducts.@.reviews.@.product (Product) price",
        "topProducts.@.reviews.@.product (Product) weight",
        "me.reviews.@.product (Product) price",
        "me.reviews.@.product (Product) weight",
    ]
    assert _gaps(FLEET, QUERY_WITH_MERGED_INPUTS, merged_inputs_plan(inputs_first=True)) == []


def test_the_planner_orders_merged_fetches_after_their_inputs() -> None:
    """It did not (fixed on main in 7b09b37): the check flagged price and weight."""
    assert coverage_gaps(FLEET, QUERY_WITH_MERGED_INPUTS) == []


def _operation_of(case: CorpusCase) -> tuple[NormalizedOperation, dict[str, object]] | None:
    schema = planner(FLEET).supergraph.api_schema
    document = parse_and_validate(schema, case.query)
    if isinstance(document, RequestError):
        return None
    definition = select_operation(schema, document, case.operation_name)
    if isinstance(definition, RequestError):
        return None
    variables = coerce_variables(schema, definition, case.variables)
    if isinstance(variables, RequestError):
        return None
    return normalize(schema, document, definition, variables), variables


PLANNED = [case for case in CASES if _operation_of(case) is not None]


def test_the_corpus_has_plans_to_check() -> None:
    assert len(PLANNED) >= 100


@pytest.mark.parametrize("case", PLANNED, ids=[c.name for c in PLANNED])
def test_the_planner_covers_the_corpus(case: CorpusCase) -> None:
    prepared = _operation_of(case)
    assert prepared is not None
    normalized, _ = prepared
    query_planner = planner(FLEET)
    built = query_planner.plan(normalized)
    assert check_plan_coverage(normalized, built, query_planner.supergraph) == []


# Apollo Gateway's plans the check rejects: two give wrong answers (tests/router/
# test_fleet_corpus.py APOLLO_BUGS), two put two fields under one response key of the same
# object and answer right only because the client's field is fetched last.
APOLLO_GAPS = {
    "043-requires-price-aliased-as-weight": {"price", "weight"},
    "158-alias-key-on-root-fetch": {"upc"},
    "060-alias-key-name-on-other-field": {"upc"},
    "061-alias-id-on-author-name": {"id"},
}
APOLLO_PLANNED = [c for c in PLANNED if (CORPUS_DIR / f"{c.name}.plan.json").exists()]


@pytest.mark.parametrize("case", APOLLO_PLANNED, ids=[c.name for c in APOLLO_PLANNED])
def test_apollo_plans_are_covered_but_for_its_known_bugs(case: CorpusCase) -> None:
    prepared = _operation_of(case)
    assert prepared is not None
    normalized, variables = prepared
    body = json.loads((CORPUS_DIR / f"{case.name}.plan.json").read_text(encoding="utf-8"))
    apollo_plan = plan_from_apollo(body, variables)
    gaps = check_plan_coverage(normalized, apollo_plan, planner(FLEET).supergraph)
    assert {gap.field for gap in gaps} == APOLLO_GAPS.get(case.name, set())
