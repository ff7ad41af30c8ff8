"""The facade the HTTP server uses: prepare, execute, explain, plan cache."""

from __future__ import annotations

import pytest

from router.pipeline import PreparedOperation, Router, explain
from router.request import GraphQLRequest, OperationKind, RequestError, RequestErrorKind
from tests.fleet.apps import fleet_transport
from tests.router.planning.support import FLEET


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
