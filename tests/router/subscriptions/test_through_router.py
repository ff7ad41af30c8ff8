"""Subscriptions through the real router and subgraphs on real sockets, while orders are
placed and moved along: over a WebSocket (``graphql-transport-ws``) and over SSE, each event
arrives once, in order, with the fields the other subgraphs resolve."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from websockets.exceptions import ConnectionClosed

from events.bus import EventBus
from models.database import Database
from router.subscriptions import SubscriptionLimits
from subgraphs.orders.subscriptions import ORDER_FEED
from tests.events.buses import BUS_KINDS, own_bus
from tests.router.subscriptions.harness import (
    SUPERGRAPH,
    Platform,
    new_key,
    receive,
    running_platform,
    send,
)

CUSTOMER = 3
OTHER = 4
STATUS = """subscription($customer: ID) { orderStatusChanged(customerId: $customer) {
  id status customer { name } lines { product { name inStock } } } }"""
PLACED = "subscription { orderPlaced { id customer { id } } }"
PLACE = "mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id status } }"
MOVE = """mutation($id: ID!, $status: OrderStatus!) {
  updateOrderStatus(id: $id, status: $status) { id } }"""
CANCEL = "mutation($id: ID!) { cancelOrder(id: $id) { id status } }"


@pytest.fixture(params=BUS_KINDS)
async def bus(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[EventBus]:
    """The embedded bus and NATS JetStream (skipped when no server answers)."""
    async with own_bus(request.param, tmp_path) as bus:
        yield bus


@pytest.fixture
async def platform(database: Database, bus: EventBus) -> AsyncIterator[Platform]:
    limits = SubscriptionLimits(max_per_connection=2, max_per_client=3, heartbeat_seconds=0.5)
    async with running_platform(database, bus, limits) as platform:
        yield platform


async def stocked_product(platform: Platform) -> str:
    staff = platform.staff()
    created = await platform.post(
        staff,
        "mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }",
        input={
            "sku": f"SUB-{uuid.uuid4().hex[:10].upper()}",
            "name": "Subscribed Kettle",
            "category": "subscription-tests",
            "price": {"amount": "12.00", "currency": "CNY"},
        },
    )
    product: str = created["data"]["createProduct"]["id"]
    await platform.post(staff, "mutation($id: ID!) { listProduct(id: $id) { id } }", id=product)
    warehouses = await platform.post(staff, "{ warehouses { code } }")
    code = warehouses["data"]["warehouses"][0]["code"]
    adjust = """mutation($p: ID!, $w: String!, $d: Int!) {
      adjustStock(productId: $p, warehouseCode: $w, delta: $d) { onHand } }"""
    adjusted = await platform.post(staff, adjust, p=product, w=code, d=50)
    assert "errors" not in adjusted, adjusted
    return product


async def place(platform: Platform, product: str) -> str:
    order_input = {
        "customerId": str(CUSTOMER),
        "idempotencyKey": new_key(),
        "lines": [{"productId": product, "quantity": 1}],
    }
    body = await platform.post(platform.customer(CUSTOMER), PLACE, input=order_input)
    assert "errors" not in body, body
    order: str = body["data"]["placeOrder"]["id"]
    return order


async def sse_events(
    platform: Platform, query: str, variables: dict[str, Any], out: list[Any]
) -> None:
    headers = {"authorization": platform.customer(CUSTOMER), "accept": "text/event-stream"}
    body = {"query": query, "variables": variables}
    async with platform.http.stream("POST", platform.url, json=body, headers=headers) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        event = None
        async for line in response.aiter_lines():
            if line.startswith("event: "):
                event = line.removeprefix("event: ")
            elif line.startswith("data: ") and event == "next":
                out.append(orjson.loads(line.removeprefix("data: ")))
            elif line.startswith("data") and event == "complete":
                return


async def test_websocket_and_sse_events_arrive_once_in_order_with_federated_fields(
    platform: Platform,
) -> None:
    product = await stocked_product(platform)
    delivered = ORDER_FEED.delivered
    first = await place(platform, product)  # before subscribing: not an event
    await platform.wait_for_feed(delivered + 1)
    over_sse: list[Any] = []
    sse = asyncio.create_task(sse_events(platform, STATUS, {"customer": str(CUSTOMER)}, over_sse))
    async with platform.websocket({"Authorization": platform.customer(CUSTOMER)}) as websocket:
        assert (await receive(websocket))["type"] == "connection_ack"
        await send(
            websocket,
            {
                "id": "s",
                "type": "subscribe",
                "payload": {"query": STATUS, "variables": {"customer": str(CUSTOMER)}},
            },
        )
        await send(websocket, {"id": "p", "type": "subscribe", "payload": {"query": PLACED}})
        await platform.wait_for_listeners(3)
        second = await place(platform, product)
        staff = platform.staff()
        for status in ("PAID", "SHIPPED"):
            moved = await platform.post(staff, MOVE, id=first, status=status)
            assert "errors" not in moved, moved
        cancelled = await platform.post(platform.customer(CUSTOMER), CANCEL, id=second)
        assert "errors" not in cancelled, cancelled
        expected = [(first, "PAID"), (first, "SHIPPED"), (second, "CANCELLED")]
        by_id: dict[str, list[Any]] = {"s": [], "p": []}
        async with asyncio.timeout(15):
            while len(by_id["s"]) < 3 or len(by_id["p"]) < 1:
                message = await receive(websocket)
                assert message["type"] == "next", message
                by_id[message["id"]].append(message["payload"])
        await asyncio.sleep(0.3)  # nothing more (no duplicate) arrives
        async with asyncio.timeout(15):
            while len(over_sse) < 3:
                await asyncio.sleep(0.02)
        sse.cancel()
    for results in (by_id["s"], over_sse):
        assert [
            (r["data"]["orderStatusChanged"]["id"], r["data"]["orderStatusChanged"]["status"])
            for r in results
        ] == expected
        for result in results:
            assert "errors" not in result, result
            order = result["data"]["orderStatusChanged"]
            assert order["customer"]["name"]  # from customers (masked: no pii:read)
            assert order["lines"][0]["product"] == {"name": "Subscribed Kettle", "inStock": True}
    assert by_id["p"] == [
        {"data": {"orderPlaced": {"id": second, "customer": {"id": str(CUSTOMER)}}}}
    ]


async def test_a_customer_subscribing_to_another_customers_orders_is_forbidden(
    platform: Platform,
) -> None:
    async with platform.websocket({"Authorization": platform.customer(CUSTOMER)}) as websocket:
        assert (await receive(websocket))["type"] == "connection_ack"
        variables = {"customer": str(OTHER)}
        await send(
            websocket,
            {"id": "x", "type": "subscribe", "payload": {"query": STATUS, "variables": variables}},
        )
        refused = await receive(websocket)
        assert refused["type"] in ("next", "error"), refused
        errors = refused["payload"] if refused["type"] == "error" else refused["payload"]["errors"]
        assert [e["extensions"]["code"] for e in errors] == ["FORBIDDEN"]
        if refused["type"] == "next":
            assert refused["payload"]["data"] is None
            assert (await receive(websocket)) == {"id": "x", "type": "complete"}


async def test_an_anonymous_subscription_is_refused_before_any_subgraph(platform: Platform) -> None:
    async with platform.websocket() as websocket:
        assert (await receive(websocket))["type"] == "connection_ack"
        await send(
            websocket,
            {
                "id": "a",
                "type": "subscribe",
                "payload": {"query": STATUS, "variables": {"customer": "3"}},
            },
        )
        refused = await receive(websocket)
        assert refused["type"] == "error" and refused["id"] == "a"
        assert {e["extensions"]["code"] for e in refused["payload"]} == {
            "UNAUTHORIZED_FIELD_OR_TYPE"
        }
    assert ORDER_FEED.listeners == 0


async def test_a_bad_credential_closes_the_connection_4403(platform: Platform) -> None:
    async with platform.websocket({"Authorization": "Bearer not-a-token"}) as websocket:
        with pytest.raises(ConnectionClosed) as closed:
            await receive(websocket)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403


async def test_sse_refusal_is_one_next_with_errors_then_complete(platform: Platform) -> None:
    headers = {"accept": "text/event-stream"}  # anonymous
    body = {"query": STATUS, "variables": {"customer": "3"}}
    response = await platform.http.post(platform.url, json=body, headers=headers)
    assert response.status_code == 200
    events = [block for block in response.text.split("\n\n") if block]
    assert events[-1] == "event: complete\ndata: "
    assert len(events) == 2 and events[0].startswith("event: next\ndata: ")
    result = orjson.loads(events[0].split("data: ", 1)[1])
    assert {e["extensions"]["code"] for e in result["errors"]} == {"UNAUTHORIZED_FIELD_OR_TYPE"}


async def test_a_subscription_over_plain_http_is_not_acceptable(platform: Platform) -> None:
    response = await platform.http.post(
        platform.url, json={"query": PLACED}, headers={"authorization": platform.staff()}
    )
    assert response.status_code == 406
    assert response.json()["errors"][0]["extensions"]["code"] == "NOT_ACCEPTABLE"


async def subscribe_placed(websocket: Any, operation_id: str) -> None:
    await send(websocket, {"id": operation_id, "type": "subscribe", "payload": {"query": PLACED}})


async def test_limits_per_connection_and_per_client(platform: Platform) -> None:
    credential = {"Authorization": platform.customer(CUSTOMER)}
    async with platform.websocket(credential) as one, platform.websocket(credential) as two:
        for websocket in (one, two):
            assert (await receive(websocket))["type"] == "connection_ack"
        await subscribe_placed(one, "1")
        await subscribe_placed(one, "2")
        await subscribe_placed(one, "3")  # a third on one connection (max 2)
        refused = await receive(one)
        assert refused["id"] == "3" and refused["type"] == "error"
        assert refused["payload"][0]["extensions"]["code"] == "SUBSCRIPTION_LIMIT_REACHED"
        await platform.wait_for_listeners(2)
        await subscribe_placed(two, "1")
        await platform.wait_for_listeners(3)
        await subscribe_placed(two, "2")  # a fourth for the client (max 3)
        refused = await receive(two)
        assert refused["id"] == "2" and refused["type"] == "error"
        assert refused["payload"][0]["extensions"]["code"] == "SUBSCRIPTION_LIMIT_REACHED"
        await send(one, {"id": "1", "type": "complete"})  # room again
        async with asyncio.timeout(5):
            while ORDER_FEED.listeners > 2:
                await asyncio.sleep(0.01)
        await subscribe_placed(two, "2")
        await platform.wait_for_listeners(3)
        heartbeat = orjson.loads(await asyncio.wait_for(one.recv(), 2))  # every 0.5 s
        assert heartbeat == {"type": "ping"}


async def test_router_shutdown_ends_every_subscription_cleanly(platform: Platform) -> None:
    async with platform.websocket({"Authorization": platform.staff()}) as websocket:
        assert (await receive(websocket))["type"] == "connection_ack"
        await subscribe_placed(websocket, "1")
        await platform.wait_for_listeners(1)
        platform.router_server.should_exit = True
        last = await receive(websocket)
        assert last["type"] == "next" and last["id"] == "1"
        assert last["payload"]["errors"][0]["extensions"]["code"] == "SUBSCRIPTION_SERVER_SHUTDOWN"
        assert await receive(websocket) == {"id": "1", "type": "complete"}
        with pytest.raises(ConnectionClosed) as closed:
            await receive(websocket)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1001
    async with asyncio.timeout(10):
        await platform.router_task
    async with asyncio.timeout(5):  # the subgraph subscription ended with it
        while ORDER_FEED.listeners:
            await asyncio.sleep(0.01)


async def test_a_supergraph_reload_ends_subscriptions_and_new_ones_run_on_the_new_one(
    database: Database, bus: EventBus, tmp_path: Path
) -> None:
    supergraph = tmp_path / "schema.graphql"
    supergraph.write_text(SUPERGRAPH.read_text())
    async with running_platform(database, bus, supergraph=supergraph) as platform:
        assert platform.reloader is not None
        async with platform.websocket({"Authorization": platform.staff()}) as websocket:
            assert (await receive(websocket))["type"] == "connection_ack"
            await subscribe_placed(websocket, "1")
            await platform.wait_for_listeners(1)
            supergraph.write_text(SUPERGRAPH.read_text() + "\n# changed\n")
            assert await platform.reloader.reload()
            last = await receive(websocket)
            assert last["type"] == "next" and last["id"] == "1"
            code = last["payload"]["errors"][0]["extensions"]["code"]
            assert code == "SUBSCRIPTION_SCHEMA_RELOAD"
            assert await receive(websocket) == {"id": "1", "type": "complete"}
            await subscribe_placed(websocket, "1")  # the connection stays: subscribe again
            await platform.wait_for_listeners(1)
            product = await stocked_product(platform)
            placed = await place(platform, product)
            event = await receive(websocket)
            assert event["payload"]["data"]["orderPlaced"]["id"] == placed
