"""Inventory's events, staged with each change (reserved, released, fulfilled, adjusted, low
stock once per crossing), and reservation expiry: a reservation whose order is never written
(a crash between the reservation and the insert) is released by the sweeper once it
expires, while one its order's placement confirmed (through the bus) is never swept."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from events.bus import EventBus
from events.catalogue import check
from events.consumer import drain
from events.envelope import Envelope, decode
from events.relay import relay_pending
from models.base import utcnow
from models.database import Database
from models.inventory import InventoryEvent, Reservation, ReservationStatus, StockLevel
from models.orders import OrderEvent
from subgraphs.inventory import order_events, reservations
from subgraphs.inventory.outbox import LOW_STOCK_THRESHOLD
from subgraphs.orders.peer_calls import reservation_reference
from tests.conftest import TEST_SCALE, GraphQL
from tests.events.buses import BUS_KINDS, own_bus

ADJUST = """mutation($p: ID!, $w: String!, $d: Int!) {
  adjustStock(productId: $p, warehouseCode: $w, delta: $d) { onHand } }"""
RESERVE = """mutation($ref: String!, $lines: [ReservationLineInput!]!) {
  reserveStock(reference: $ref, lines: $lines) { id } }"""
RELEASE = "mutation($ref: String!) { releaseReservation(reference: $ref) }"
FULFILL = "mutation($ref: String!) { fulfillReservation(reference: $ref) }"
PLACE = "mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }"
_BUYER = TEST_SCALE.customers


@pytest.fixture(params=BUS_KINDS)
async def bus(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[EventBus]:
    async with own_bus(request.param, tmp_path) as bus:
        yield bus


async def new_stocked_product(graphql: GraphQL, units: int, *, listed: bool = False) -> str:
    """A product of this test's own with ``units`` on hand in warehouse WH-... (the first)."""
    body = await graphql(
        "products",
        "mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }",
        input={
            "sku": f"EVT-{uuid.uuid4().hex[:10].upper()}",
            "name": "Evented Kettle",
            "category": "event-tests",
            "price": {"amount": "10.00", "currency": "CNY"},
        },
    )
    product_id: str = body["data"]["createProduct"]["id"]
    if listed:
        await graphql(
            "products", "mutation($id: ID!) { listProduct(id: $id) { id } }", id=product_id
        )
    body = await graphql(
        "inventory", ADJUST, p=product_id, w=await first_warehouse(graphql), d=units
    )
    assert "errors" not in body, body
    return product_id


async def first_warehouse(graphql: GraphQL) -> str:
    body = await graphql("inventory", "{ warehouses { code } }")
    code: str = body["data"]["warehouses"][0]["code"]
    return code


async def staged(database: Database, aggregate: str) -> list[Envelope]:
    async with database.sessions() as session:
        rows = await session.scalars(
            select(InventoryEvent.envelope)
            .where(InventoryEvent.aggregate_id == aggregate)
            .order_by(InventoryEvent.id)
        )
        envelopes = [decode(row.encode()) for row in rows]
    for envelope in envelopes:
        check(envelope)
        assert envelope.source == "/ops-platform/inventory"
    return envelopes


def _line(product_id: str, quantity: int) -> dict[str, Any]:
    return {"productId": product_id, "quantity": quantity}


async def test_reservations_stage_reserved_released_and_fulfilled(
    graphql: GraphQL, database: Database
) -> None:
    product = await new_stocked_product(graphql, 50)
    code = await first_warehouse(graphql)
    released, shipped = f"evt:{uuid.uuid4().hex}", f"evt:{uuid.uuid4().hex}"
    await graphql("inventory", RESERVE, ref=released, lines=[_line(product, 2)])
    await graphql("inventory", RESERVE, ref=released, lines=[_line(product, 2)])  # idempotent
    await graphql("inventory", RELEASE, ref=released)
    await graphql("inventory", RELEASE, ref=released)  # nothing left to release: no event
    await graphql("inventory", RESERVE, ref=shipped, lines=[_line(product, 3)])
    await graphql("inventory", FULFILL, ref=shipped)
    lines = [{"productId": product, "warehouseCode": code, "quantity": 2}]
    first = await staged(database, released)
    assert [e.type for e in first] == ["inventory.StockReserved", "inventory.StockReleased"]
    assert first[0].data["lines"] == lines and first[1].data["lines"] == lines
    assert first[1].data["reason"] == "RELEASED"
    second = await staged(database, shipped)
    assert [e.type for e in second] == ["inventory.StockReserved", "inventory.StockFulfilled"]


async def test_adjustments_stage_stock_adjusted_and_stock_low_once_per_crossing(
    graphql: GraphQL, database: Database
) -> None:
    start = LOW_STOCK_THRESHOLD + 2
    product = await new_stocked_product(graphql, start)
    code = await first_warehouse(graphql)
    await graphql("inventory", ADJUST, p=product, w=code, d=-1)  # threshold + 1: not low
    await graphql("inventory", RESERVE, ref=f"evt:{uuid.uuid4().hex}", lines=[_line(product, 3)])
    await graphql("inventory", ADJUST, p=product, w=code, d=-1)  # further below: no repeat
    await graphql("inventory", ADJUST, p=product, w=code, d=20)  # restocked
    await graphql("inventory", ADJUST, p=product, w=code, d=-20)  # crosses again
    events = await staged(database, product)
    adjusted = [e.data for e in events if e.type == "inventory.StockAdjusted"]
    assert [(a["delta"], a["onHand"], a["cause"]) for a in adjusted] == [
        (start, start, "API"),
        (-1, start - 1, "API"),
        (-1, start - 2, "API"),
        (20, start + 18, "API"),
        (-20, start - 2, "API"),
    ]
    low = [e.data for e in events if e.type == "inventory.StockLow"]
    available_after_reservation = start - 1 - 3
    assert [(e["available"], e["threshold"]) for e in low] == [
        (available_after_reservation, LOW_STOCK_THRESHOLD),
        (start - 2 - 3, LOW_STOCK_THRESHOLD),
    ]


async def _reservations(database: Database, reference: str) -> list[ReservationStatus]:
    async with database.sessions() as session:
        rows = await session.scalars(
            select(Reservation.status).where(Reservation.reference == reference)
        )
        return list(rows)


async def _reserved_units(database: Database, product: str) -> int:
    async with database.sessions() as session:
        rows = await session.scalars(
            select(StockLevel.reserved).where(StockLevel.product_id == int(product))
        )
        return sum(rows)


async def test_an_order_never_written_has_its_reservation_swept_a_confirmed_one_never(
    graphql: GraphQL, database: Database, bus: EventBus, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reservations, "RESERVATION_TTL", timedelta(seconds=0))
    product = await new_stocked_product(graphql, 20, listed=True)
    # A crash between the reservation and the insert: orders reserved (with the reference
    # placeOrder would use) and died before writing the order.
    crashed = reservation_reference(_BUYER, f"crash-{uuid.uuid4().hex}")
    await graphql("inventory", RESERVE, ref=crashed, lines=[_line(product, 4)])
    # A real order: placed, its OrderPlaced relayed, inventory's consumer confirms it.
    key = f"placed-{uuid.uuid4().hex}"
    body = await graphql(
        "orders",
        PLACE,
        input={"customerId": str(_BUYER), "idempotencyKey": key, "lines": [_line(product, 5)]},
    )
    order_id = body["data"]["placeOrder"]["id"]
    placed = reservation_reference(_BUYER, key)
    assert await _reserved_units(database, product) == 9
    await relay_pending(database, OrderEvent, bus)
    await drain(bus, order_events.CONSUMER, order_events.order_event_handler(database))
    confirmed = await staged(database, placed)
    assert [e.type for e in confirmed][-1] == "inventory.ReservationConfirmed"
    assert confirmed[-1].data["orderId"] == order_id

    released = await reservations.sweep_expired(database, now=utcnow() + timedelta(seconds=1))
    assert released >= 1
    assert await _reservations(database, crashed) == [ReservationStatus.RELEASED]
    assert await _reservations(database, placed) == [ReservationStatus.ACTIVE]
    assert await _reserved_units(database, product) == 5  # no leak: the crash's 4 are back
    swept = await staged(database, crashed)
    assert [(e.type, e.data.get("reason")) for e in swept][-1] == (
        "inventory.StockReleased",
        "EXPIRED",
    )
    # Later still, never swept.
    await reservations.sweep_expired(database, now=utcnow() + timedelta(minutes=1))
    assert await _reservations(database, placed) == [ReservationStatus.ACTIVE]
