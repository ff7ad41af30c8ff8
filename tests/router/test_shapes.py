"""The shapes subgraphs end to end, in-process: the router's answers (the same JSON Apollo
Gateway gives, see ``test_shapes_against_apollo.py``) and its subgraph requests per query."""

from __future__ import annotations

from typing import Any

import pytest

from router.pipeline import PreparedOperation, Router
from router.request import GraphQLRequest
from tests.router.shapes.apps import QUERIES, VARIABLES, shapes_fixture, shapes_transport

BOOKS = [{"title": "Dune"}, {"title": "Emma"}]
EXPECTED: dict[str, tuple[dict[str, Any], int]] = {
    QUERIES[0]: ({"config": {"a": 1, "b": 2}}, 2),
    QUERIES[1]: (
        {
            "products": [
                {"name": "Lamp", "details": {"size": 3, "x": 30}},
                {"name": "Desk", "details": {"size": 5, "x": 50}},
            ]
        },
        2,
    ),
    QUERIES[2]: ({"featured": {"id": "m1"}, "item": {"id": "b1", "title": "Dune"}}, 1),
    QUERIES[3]: ({"item": {"id": "b1"}}, 1),
    QUERIES[4]: (
        {"products": [{"sku": "SKU-p1", "weight": 2}, {"sku": "SKU-p2", "weight": 40}]},
        2,
    ),
    QUERIES[5]: ({"nodes": [{"id": "u1"}, {"id": "a1"}, {"id": None}]}, 1),
    QUERIES[6]: (
        {
            "nodes": [
                {"id": "u1", "name": "Ada"},
                {"id": "a1", "level": 7},
                {"id": None, "level": 1},
            ]
        },
        1,
    ),
    QUERIES[7]: ({"search": BOOKS}, 1),
    QUERIES[8]: (
        {
            "topBook": {"id": "b2"},
            "search": [{"__typename": "Book", "id": "b1"}, {"__typename": "Book", "id": "b2"}],
        },
        1,
    ),
    QUERIES[9]: ({"greeting": "hello Ada"}, 1),
}


def test_every_shape_has_an_expected_answer() -> None:
    assert list(EXPECTED) == QUERIES


@pytest.mark.parametrize("query", QUERIES)
async def test_answer_and_subgraph_requests(query: str) -> None:
    supergraph, apps = shapes_fixture()
    assert list(apps) == ["alpha", "beta"]
    transport = shapes_transport()
    router = Router.from_supergraph_sdl(supergraph, transport=transport)
    try:
        prepared = router.prepare(GraphQLRequest(query, variables=VARIABLES.get(query)))
        assert isinstance(prepared, PreparedOperation), prepared
        body = await router.execute(prepared)
    finally:
        await router.aclose()
    data, requests = EXPECTED[query]
    assert body == {"data": data}
    assert sum(transport.requests.values()) == requests
