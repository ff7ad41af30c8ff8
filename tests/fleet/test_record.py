from __future__ import annotations

import json
from typing import Any

import httpx

from tests.fleet.apps import fleet_urls
from tests.fleet.record import (
    PLAN_EXTENSION,
    SUPERGRAPH_FILE,
    ask_apollo,
    count_fetches,
    supergraph_for,
)


def test_count_fetches_counts_every_fetch_node_in_any_branch() -> None:
    fetch = {"kind": "Fetch", "serviceName": "products"}
    plan = {
        "kind": "QueryPlan",
        "node": {
            "kind": "Sequence",
            "nodes": [
                fetch,
                {"kind": "Flatten", "path": ["x"], "node": fetch},
                {"kind": "Condition", "ifClause": fetch, "elseClause": None},
            ],
        },
    }
    assert count_fetches(plan) == 3
    assert count_fetches({"kind": "QueryPlan"}) == 0
    assert count_fetches(None) == 0


def test_supergraph_for_moves_every_routing_url() -> None:
    urls = {name: f"http://127.0.0.1:1/{name}" for name in fleet_urls()}
    moved = supergraph_for(urls)
    for name, url in urls.items():
        assert f'@join__graph(name: "{name}", url: "{url}")' in moved
    assert ":4001/" not in moved
    assert supergraph_for(fleet_urls()) == SUPERGRAPH_FILE.read_text(encoding="utf-8")


def answered(body: dict[str, Any], status: int = 200) -> tuple[httpx.Client, list[httpx.Request]]:
    """A client whose every request gets ``body`` back, and the requests it sent."""
    seen: list[httpx.Request] = []

    def reply(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, json=body)

    return httpx.Client(transport=httpx.MockTransport(reply)), seen


def test_ask_apollo_splits_the_plan_off_and_sends_plan_headers() -> None:
    plan = {"kind": "QueryPlan", "node": {"kind": "Fetch"}}
    client, seen = answered({"data": {"me": None}, "extensions": {PLAN_EXTENSION: plan}})
    answer = ask_apollo(client, "http://gw/graphql", {"query": "{ me { id } }"})
    assert answer == (200, {"data": {"me": None}}, plan)
    [request] = seen
    assert request.headers["apollo-query-plan-experimental"] == "1"
    assert request.headers["apollo-query-plan-experimental-format"] == "internal"
    assert json.loads(request.content) == {"query": "{ me { id } }"}


def test_ask_apollo_drops_only_stack_traces_and_keeps_other_extensions() -> None:
    error = {"message": "x", "extensions": {"code": "BAD_USER_INPUT", "stacktrace": ["at x"]}}
    client, _ = answered({"errors": [error], "extensions": {"other": 1}}, status=400)
    answer = ask_apollo(client, "http://gw/graphql", {"query": "{"})
    assert answer.status == 400
    assert answer.body == {
        "errors": [{"message": "x", "extensions": {"code": "BAD_USER_INPUT"}}],
        "extensions": {"other": 1},
    }
    assert answer.plan is None
