"""A subscription's plan: its first fetch is the subscription, sent to the owning subgraph;
each event answers that fetch and the rest of the plan runs on it."""

from __future__ import annotations

from router.execution import execute_plan
from router.pipeline import PreparedOperation, Router
from router.request import GraphQLRequest, OperationKind
from router.security.identity import Identity, IdentityKind
from router.subgraph_client import SubgraphClients
from router.subscriptions.hub import root_fetch
from router.subscriptions.upstream import websocket_url
from tests.router.subscriptions.harness import SUPERGRAPH

STAFF = Identity(IdentityKind.USER, subject="staff", scopes=frozenset({"staff"}))
STATUS = 'subscription { orderStatusChanged(customerId: "3") { id status customer { id } } }'


def test_the_root_fetch_of_a_subscription_goes_to_the_owning_subgraph() -> None:
    router = Router.from_supergraph_sdl(SUPERGRAPH.read_text())
    prepared = router.prepare(GraphQLRequest(query=STATUS), STAFF)
    assert isinstance(prepared, PreparedOperation), prepared
    assert prepared.kind is OperationKind.SUBSCRIPTION
    fetch = root_fetch(prepared.plan)
    assert fetch is not None and fetch.service_name == "orders"
    assert fetch.operation.startswith("subscription{orderStatusChanged(")
    query = router.prepare(GraphQLRequest(query="{ products(first: 1) { totalCount } }"))
    assert isinstance(query, PreparedOperation) and root_fetch(query.plan) is None


async def test_an_event_answers_the_root_fetch_without_sending_it() -> None:
    router = Router.from_supergraph_sdl(SUPERGRAPH.read_text())
    prepared = router.prepare(GraphQLRequest(query=STATUS), STAFF)
    assert isinstance(prepared, PreparedOperation), prepared
    clients = SubgraphClients({})  # no subgraph at all: a sent fetch would be an error
    event = {
        "data": {
            "orderStatusChanged": {
                "id": "7",
                "status": "PAID",
                "customer": {"__typename": "Customer", "id": "3"},
            }
        }
    }
    data, errors = await execute_plan(prepared.plan, clients, {}, root_answer=event)
    assert errors == []
    assert data["orderStatusChanged"]["status"] == "PAID"


def test_subgraph_urls_become_websocket_urls() -> None:
    assert websocket_url("http://127.0.0.1:4003/graphql") == "ws://127.0.0.1:4003/graphql"
    assert websocket_url("https://orders.internal/graphql") == "wss://orders.internal/graphql"
