"""The facade the HTTP server uses: prepare, execute, explain, plan cache."""

from __future__ import annotations

import dataclasses
import os
from typing import Any

import pytest

from router.operation import NormalizedOperation
from router.pipeline import CHECK_COVERAGE_VARIABLE, PreparedOperation, Router, explain
from router.plan import QueryPlan, Sequence
from router.planning import QueryPlanner
from router.request import GraphQLRequest, OperationKind, RequestError, RequestErrorKind
from router.response_coverage import ResponseCoverageError
from router.supergraph import Supergraph
from tests.fleet.apps import fleet_transport
from tests.router.planning.hand_plans import QUERY_WITH_MERGED_INPUTS, merged_inputs_plan
from tests.router.planning.support import FLEET, operation


@pytest.fixture
async def router() -> Router:  # type: ignore[misc]
    instance = Router.from_supergraph_sdl(FLEET, transport=fleet_transport(), plan_cache_size=2)
    yield instance
    await instance.aclose()


def test_prepare_reports_each_error_kind(router: Router) -> None:
    cases = {
        "{ me { id }": RequestErrorKind.PARSE,
        "{ nope }": RequestErrorKind.VALIDATION,
        "query A { me { id } } query B { me { id } }": RequestErrorKind.OPERATION_NOT_FOUND,
        "query($n: Int!) { topProducts(first: $n) { upc } }": RequestErrorKind.BAD_VARIABLES,
    }
    for query, kind in cases.items():
        prepared = router.prepare(GraphQLRequest(query))
        assert isinstance(prepared, RequestError)
        assert prepared.kind is kind
        assert prepared.errors[0]["extensions"]["code"] == kind.value


def test_prepared_operation_carries_kind_and_name(router: Router) -> None:
    prepared = router.prepare(GraphQLRequest("query Top { topProducts { upc } }"))
    assert isinstance(prepared, PreparedOperation)
    assert (prepared.kind, prepared.operation_name) == (OperationKind.QUERY, "Top")


def test_plans_are_cached_per_document_name_and_conditions(router: Router) -> None:
    query = "query($s: Boolean!) { topProducts { upc inStock @skip(if: $s) } }"
    first = router.prepare(GraphQLRequest(query, None, {"s": False}))
    again = router.prepare(GraphQLRequest(query, None, {"s": False}))
    skipped = router.prepare(GraphQLRequest(query, None, {"s": True}))
    assert isinstance(first, PreparedOperation) and isinstance(again, PreparedOperation)
    assert isinstance(skipped, PreparedOperation)
    assert first.plan is again.plan
    assert skipped.plan is not first.plan
    assert "inventory" in router.explain(first) and "inventory" not in router.explain(skipped)


async def test_execute_returns_the_wire_body(router: Router) -> None:
    prepared = router.prepare(GraphQLRequest("{ topProducts(first: 1) { name inStock } }"))
    assert isinstance(prepared, PreparedOperation)
    assert await router.execute(prepared) == {
        "data": {"topProducts": [{"name": "Table", "inStock": True}]}
    }


async def test_introspection_only_queries_touch_no_subgraph(router: Router) -> None:
    prepared = router.prepare(GraphQLRequest("{ __schema { queryType { name } } }"))
    assert isinstance(prepared, PreparedOperation)
    assert await router.execute(prepared) == {
        "data": {"__schema": {"queryType": {"name": "Query"}}}
    }
    assert router.clients.requests_sent == 0
    assert router.explain(prepared) == "QueryPlan {\n}"


def test_api_schema_hides_federation_internals(router: Router) -> None:
    type_map = router.api_schema.type_map
    assert "join__Graph" not in type_map and "_Entity" not in type_map
    assert "Product" in type_map


def test_explain_function_prints_the_plan() -> None:
    text = explain(FLEET, "{ me { name } }")
    assert text == (
        'QueryPlan {\n  Fetch(service: "accounts") {\n    {\n      me {\n        name\n'
        "      }\n    }\n  },\n}"
    )
    with pytest.raises(ValueError, match="Cannot query field"):
        explain(FLEET, "{ nope }")


def test_explain_needs_no_variables_but_honours_conditions() -> None:
    query = "query($n: Int!, $s: Boolean!) { topProducts(first: $n) { upc inStock @skip(if: $s) } }"
    assert "inventory" in explain(FLEET, query)
    assert "inventory" not in explain(FLEET, query, variables={"s": True})


# -- the coverage invariant ------------------------------------------------------------------

IN_STOCK_QUERY = "{ topProducts(first: 2) { upc inStock } }"


def _without_inventory(router: Router) -> PreparedOperation:
    """The prepared ``IN_STOCK_QUERY`` with a broken plan: the inventory fetch left out."""
    prepared = router.prepare(GraphQLRequest(IN_STOCK_QUERY))
    assert isinstance(prepared, PreparedOperation)
    assert isinstance(prepared.plan.node, Sequence)
    broken = QueryPlan(prepared.plan.node.nodes[0])
    return dataclasses.replace(prepared, plan=broken)


def test_the_test_suites_check_every_response(router: Router) -> None:
    assert os.environ[CHECK_COVERAGE_VARIABLE] == "1"  # tests/conftest.py
    assert router.response_checks == "raise"


async def test_a_made_up_null_raises_when_asked_to(router: Router) -> None:
    with pytest.raises(ResponseCoverageError) as raised:
        await router.execute(_without_inventory(router))
    assert [str(v.path) for v in raised.value.violations] == [
        "('topProducts', 0, 'inStock')",
        "('topProducts', 1, 'inStock')",
    ]


async def test_a_made_up_null_is_reported_in_production() -> None:
    instance = Router.from_supergraph_sdl(
        FLEET, transport=fleet_transport(), response_checks="report"
    )
    try:
        body = await instance.execute(_without_inventory(instance))
    finally:
        await instance.aclose()
    assert body["data"] == {
        "topProducts": [{"upc": "1", "inStock": None}, {"upc": "2", "inStock": None}]
    }
    assert [(e["path"], e["extensions"]["code"]) for e in body["errors"]] == [
        (["topProducts", 0, "inStock"], "RESPONSE_COVERAGE_VIOLATION"),
        (["topProducts", 1, "inStock"], "RESPONSE_COVERAGE_VIOLATION"),
    ]


class _PlannerDroppingItsLastStep(QueryPlanner):
    """A planner with a bug: its plans lose their last fetch (the entity fetch of inStock)."""

    def __init__(self, supergraph: Supergraph) -> None:
        super().__init__(supergraph)
        self.plans = 0

    def plan(self, operation: NormalizedOperation) -> QueryPlan:
        self.plans += 1
        built = super().plan(operation)
        assert isinstance(built.node, Sequence)
        return QueryPlan(built.node.nodes[0])


def test_a_plan_with_a_coverage_gap_is_refused_not_run(
    router: Router, caplog: pytest.LogCaptureFixture
) -> None:
    broken = _PlannerDroppingItsLastStep(router.supergraph)
    router._preparer.planner = broken  # the pipeline's planner, with the bug
    first = router.prepare(GraphQLRequest(IN_STOCK_QUERY))
    again = router.prepare(GraphQLRequest(IN_STOCK_QUERY))
    assert isinstance(first, RequestError) and again == first
    assert broken.plans == 1  # the verdict is cached with the plan
    [error] = first.errors
    assert error["extensions"] == {"code": "QUERY_PLANNING_FAILED"}
    assert error["message"] == (
        "The query plan cannot deliver every selected field: "
        "topProducts.@ (Product) inStock: no fetch selects inStock here"
    )
    [record] = caplog.records
    assert "refusing to execute" in record.getMessage()
    assert 'Fetch(service: "products")' in record.getMessage()  # the plan, to debug it


async def _answer(router: Router, query: str) -> dict[str, Any]:
    prepared = router.prepare(GraphQLRequest(query))
    assert isinstance(prepared, PreparedOperation), prepared
    return await router.execute(prepared)


async def _merged_inputs_answer(router: Router) -> dict[str, Any]:
    """The answer to QUERY_WITH_MERGED_INPUTS, from its two halves asked one at a time."""
    top = await _answer(router, "{ topProducts { reviews { product { shippingEstimate } } } }")
    me = await _answer(router, "{ me { reviews { product { shippingEstimate } } } }")
    return {"data": {**top["data"], **me["data"]}}


async def test_merged_fetches_wait_for_their_inputs(router: Router) -> None:
    """The planner put them beside each other before 7b09b37: shippingEstimate was null."""
    expected = await _merged_inputs_answer(router)
    shipping = expected["data"]["me"]["reviews"][0]["product"]["shippingEstimate"]
    assert shipping is not None
    assert await _answer(router, QUERY_WITH_MERGED_INPUTS) == expected


@pytest.mark.parametrize("inputs_first", [True, False])
async def test_the_response_check_sees_nulls_a_misordered_plan_makes_up(
    inputs_first: bool,
) -> None:
    """What the plan check refuses, run anyway: the response check flags every null."""
    instance = Router.from_supergraph_sdl(
        FLEET, transport=fleet_transport(), response_checks="report"
    )
    normalized = operation(FLEET, QUERY_WITH_MERGED_INPUTS)
    plan = QueryPlan(merged_inputs_plan(inputs_first))
    try:
        expected = await _merged_inputs_answer(instance)
        prepared = PreparedOperation(normalized.kind, None, normalized, plan, {})
        body = await instance.execute(prepared)
    finally:
        await instance.aclose()
    if inputs_first:
        assert body == expected
        return
    assert {e["extensions"]["code"] for e in body["errors"]} == {"RESPONSE_COVERAGE_VIOLATION"}
    assert {tuple(e["path"]) for e in body["errors"]} == {
        ("topProducts", 0, "reviews", 0, "product", "shippingEstimate"),
        ("topProducts", 0, "reviews", 1, "product", "shippingEstimate"),
        ("topProducts", 1, "reviews", 0, "product", "shippingEstimate"),
        ("topProducts", 2, "reviews", 0, "product", "shippingEstimate"),
        ("me", "reviews", 0, "product", "shippingEstimate"),
        ("me", "reviews", 1, "product", "shippingEstimate"),
    }
