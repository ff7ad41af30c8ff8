"""A query the planner cannot plan is answered ``{"data": null, "errors": [...]}`` with the
code ``QUERY_PLANNING_FAILED``, whatever went wrong in planning, never as an internal error.

Apollo Gateway answers a planner exception with HTTP 500 and a bare INTERNAL_SERVER_ERROR
without ``data`` (checked with its query planner made to throw); the router keeps a specific,
stable code and answers 200 with ``data: null`` (the operation was accepted, then could not be
run) under both media types, as it does for any executed operation.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from router.pipeline import Router
from router.planning import QueryPlanner
from router.server import create_app
from tests.router.shapes.apps import shapes_fixture, shapes_transport

# Config.b is only external in beta: no subgraph resolves it (a supergraph composition refuses,
# edited by hand).
_RESOLVED = "b: Int @join__field(graph: BETA)"
UNPLANNABLE = shapes_fixture()[0].replace(
    _RESOLVED, "b: Int @join__field(graph: BETA, external: true)"
)
EXPECTED = {
    "data": None,
    "errors": [
        {
            "message": "no subgraph can resolve Config.b from alpha",
            "extensions": {"code": "QUERY_PLANNING_FAILED"},
        }
    ],
}


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    assert _RESOLVED in shapes_fixture()[0]
    router = Router.from_supergraph_sdl(UNPLANNABLE, transport=shapes_transport())
    app = create_app(router)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://router") as http:
        yield http
    await router.aclose()


@pytest.mark.parametrize("accept", ["application/json", "application/graphql-response+json"])
async def test_unplannable_query_is_query_planning_failed(
    client: httpx.AsyncClient, accept: str
) -> None:
    response = await client.post(
        "/graphql", json={"query": "{ config { b } }"}, headers={"accept": accept}
    )
    assert (response.status_code, response.json()) == (200, EXPECTED)


async def test_unexpected_planner_exception_is_query_planning_failed(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object) -> None:
        raise KeyError("a planner bug")

    monkeypatch.setattr(QueryPlanner, "plan", broken)
    response = await client.post("/graphql", json={"query": "{ config { a } }"})
    assert response.status_code == 200
    assert response.json() == {
        "data": None,
        "errors": [
            {
                "message": "The query could not be planned.",
                "extensions": {"code": "QUERY_PLANNING_FAILED"},
            }
        ],
    }


async def test_plannable_queries_still_answer(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": "{ config { a } }"})
    assert response.json() == {"data": {"config": {"a": 1}}}
