"""Our router over the interface-object fixture, in process: answers (checked against Apollo
Gateway over the same subgraphs, see ``test_against_apollo``), what the subgraphs receive, and
a planning failure answered as one."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import httpx
import pytest

from router.composition import SubgraphSDL, compose
from router.execution import execute_plan
from router.pipeline import PreparedOperation, Router
from router.plan import Flatten, PlanField, PlanFragment, QueryPlan, Sequence, make_fetch
from router.request import GraphQLRequest, RequestError, RequestErrorKind
from router.server import create_app
from router.subgraph_client import SubgraphClients
from tests.fleet.apps import FleetTransport
from tests.router.interface_object.apps import (
    BASE_PORT,
    SUBGRAPH_NAMES,
    SUBGRAPH_SDL,
    SUPERGRAPH,
    interface_object_apps,
)
from tests.router.interface_object.subgraph import Subgraph

ANSWERS = {
    "{ alerts { message asset { __typename name ... on Server { cores } } } }": {
        "alerts": [
            {
                "message": "disk almost full",
                "asset": {"__typename": "Server", "name": "db-01", "cores": 64},
            },
            {"message": "port flapping", "asset": {"__typename": "Switch", "name": "core-sw"}},
            {
                "message": "high load",
                "asset": {"__typename": "Server", "name": "db-01", "cores": 64},
            },
        ]
    },
    "{ tickets { title asset { ... on Switch { ports health { status } } } } }": {
        "tickets": [
            {"title": "replace disk", "asset": {}},
            {"title": "upgrade firmware", "asset": {"ports": 48, "health": {"status": "DOWN"}}},
            {"title": "order cables", "asset": None},
            {
                "title": "rack the new switch",
                "asset": {"ports": 24, "health": {"status": "UNKNOWN"}},
            },
        ]
    },
    "{ assets { name ... on Server { alerts { message } } } }": {
        "assets": [
            {"name": "web-01", "alerts": []},
            {
                "name": "db-01",
                "alerts": [{"message": "disk almost full"}, {"message": "high load"}],
            },
            {"name": "core-sw"},
            {"name": "edge-sw"},
        ]
    },
}


async def ask(
    query: str, supergraph: str = SUPERGRAPH
) -> tuple[dict[str, Any], FleetTransport, dict[str, Subgraph]]:
    apps = interface_object_apps()
    transport = FleetTransport(apps, BASE_PORT)
    router = Router.from_supergraph_sdl(supergraph, transport=transport)
    try:
        prepared = router.prepare(GraphQLRequest(query))
        assert isinstance(prepared, PreparedOperation), prepared
        return await router.execute(prepared), transport, apps
    finally:
        await router.aclose()


def test_the_checked_in_supergraph_is_our_composition() -> None:
    result = compose(
        [
            SubgraphSDL(name, f"http://127.0.0.1:{BASE_PORT + i}/graphql", SUBGRAPH_SDL[name])
            for i, name in enumerate(SUBGRAPH_NAMES)
        ]
    )
    assert result.supergraph_sdl == SUPERGRAPH


@pytest.mark.parametrize("query", list(ANSWERS))
async def test_answers(query: str) -> None:
    body, _, _ = await ask(query)
    assert json.dumps(body) == json.dumps({"data": ANSWERS[query]})


async def test_representations_for_the_interface_object_carry_the_interface_name() -> None:
    body, transport, apps = await ask("{ assets { name health { status } } }")
    assert "errors" not in body
    assert transport.requests == {"assets": 1, "monitoring": 1}
    (request,) = apps["monitoring"].requests
    sent = {(r["__typename"], r["id"]) for r in request["variables"]["representations"]}
    assert sent == {("Asset", "srv-1"), ("Asset", "srv-2"), ("Asset", "sw-1"), ("Asset", "sw-2")}


async def test_the_owner_is_asked_with_the_interface_name_for_the_concrete_type() -> None:
    body, _, apps = await ask("{ unhealthy { id ... on Switch { ports } } }")
    assert body == {
        "data": {"unhealthy": [{"id": "srv-2"}, {"id": "sw-1", "ports": 48}, {"id": "gone-1"}]}
    }
    (request,) = apps["assets"].requests
    assert "{...on Asset{__typename ...on Switch{ports}}}" in request["query"]
    assert {r["__typename"] for r in request["variables"]["representations"]} == {"Asset"}


async def test_an_interface_object_answer_keeps_the_concrete_typename() -> None:
    """A fetch to an interface object that selects ``__typename`` gets the interface name
    back; merged into an entity the owner already typed, it must not replace it."""
    on_server = PlanFragment(
        "Server", (PlanField(None, "__typename", "", ()), PlanField(None, "id", "", ()))
    )
    status = PlanField(None, "health", "", (PlanField(None, "status", "", ()),))
    fetch = make_fetch(
        "monitoring",
        (PlanFragment("Asset", (PlanField(None, "__typename", "", ()), status)),),
        requires=(on_server,),
    )
    fetch = dataclasses.replace(fetch, typename_rewrites={"Server": "Asset"})
    root = make_fetch(
        "assets",
        (
            PlanField(
                None,
                "asset",
                '(id: "srv-1")',
                (PlanField(None, "__typename", "", ()), PlanField(None, "id", "", ())),
            ),
        ),
    )
    plan = QueryPlan(Sequence((root, Flatten(("asset",), fetch))))
    apps = interface_object_apps()
    urls = {name: f"http://127.0.0.1:{BASE_PORT + i}/graphql" for i, name in enumerate(apps)}
    clients = SubgraphClients(urls, transport=FleetTransport(apps, BASE_PORT))
    try:
        data, errors = await execute_plan(plan, clients, {})
    finally:
        await clients.aclose()
    assert errors == []
    assert data == {"asset": {"__typename": "Server", "id": "srv-1", "health": {"status": "OK"}}}
    (request,) = apps["monitoring"].requests
    assert request["variables"]["representations"] == [{"__typename": "Asset", "id": "srv-1"}]


def _monitoring_not_resolvable() -> str:
    """The fixture with monitoring's key not resolvable: its fields are unreachable from the
    owner (Apollo's composition refuses it; a hand-edited supergraph can still say so)."""
    declared = '@join__type(graph: MONITORING, key: "id", isInterfaceObject: true)'
    assert declared in SUPERGRAPH
    return SUPERGRAPH.replace(
        declared,
        '@join__type(graph: MONITORING, key: "id", resolvable: false, isInterfaceObject: true)',
    )


def test_an_unplannable_query_is_a_planning_error() -> None:
    router = Router.from_supergraph_sdl(_monitoring_not_resolvable())
    prepared = router.prepare(GraphQLRequest("{ assets { name health { status } } }"))
    assert isinstance(prepared, RequestError) and prepared.kind is RequestErrorKind.PLANNING
    assert prepared.errors[0]["extensions"] == {"code": "QUERY_PLANNING_FAILED"}
    # what monitoring resolves from its own root fields still plans
    assert isinstance(
        router.prepare(GraphQLRequest("{ unhealthy { health { status } } }")), PreparedOperation
    )


async def test_the_server_answers_a_planning_error_with_data_null() -> None:
    apps = interface_object_apps()
    transport = FleetTransport(apps, BASE_PORT)
    router = Router.from_supergraph_sdl(_monitoring_not_resolvable(), transport=transport)
    app = create_app(router)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://router"
    ) as client:
        response = await client.post(
            "/graphql",
            json={"query": "{ assets { name health { status } } }"},
            headers={"accept": "application/json"},
        )
    await router.aclose()
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["QUERY_PLANNING_FAILED"]
    assert transport.requests == {}
