"""Inbound integration on the real buses (embedded and NATS JetStream): each owning domain
consumes its source's subject, validates and applies it once; a message that fails its
schema, or one its domain can never apply, lands in the dead-letter stream with the reason
and the original bytes. A POS sale becomes a STORE order and takes its units out of the
store's warehouse (orders -> OrderPlaced -> inventory)."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from events.bus import ConsumerSpec, EventBus, dead_letter_subject
from events.catalogue import (
    CRM_CONTACT_UPDATED,
    ERP_STOCK_ADJUSTMENT,
    POS_SALE,
    EventType,
    event_of,
)
from events.consumer import Handler, Outcome, drain
from events.envelope import encode
from events.relay import relay_pending
from models.customers import Customer, CustomerEvent
from models.database import Database
from models.inventory import InventoryEvent, StockLevel, Warehouse
from models.orders import Order, OrderChannel, OrderEvent, OrderStatus
from subgraphs.customers import crm_contacts
from subgraphs.inventory import erp_adjustments, order_events
from subgraphs.orders import pos_sales
from subgraphs.workers import running_workers
from tests.conftest import TEST_SCALE, GraphQL
from tests.events.buses import BUS_KINDS, own_bus
from tests.subgraphs.test_domain_events import staged
from tests.subgraphs.test_inventory_events import first_warehouse, new_stocked_product

_CUSTOMER = TEST_SCALE.customers - 1


@pytest.fixture(params=BUS_KINDS)
async def bus(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[EventBus]:
    async with own_bus(request.param, tmp_path) as bus:
        yield bus


async def publish(bus: EventBus, event_type: EventType, subject: str, data: dict[str, Any]) -> str:
    envelope = event_of(event_type, subject, data)
    await bus.publish(event_type.type, encode(envelope), message_id=envelope.id)
    return envelope.id


async def consume(bus: EventBus, spec: ConsumerSpec, handler: Handler) -> dict[Outcome, int]:
    return await drain(bus, spec, handler, wait=0.2)


async def dead_letters(bus: EventBus, consumer: ConsumerSpec) -> list[tuple[bytes, dict[str, str]]]:
    reader = ConsumerSpec(
        stream="deadletter",
        name=f"reader-{uuid.uuid4().hex[:8]}",
        filter_subject=dead_letter_subject(consumer.stream, consumer.name),
    )
    letters: list[tuple[bytes, dict[str, str]]] = []
    while deliveries := await bus.fetch(reader, batch=50, timeout=0.2):
        for delivery in deliveries:
            letters.append((delivery.data, dict(delivery.headers)))
            await delivery.ack()
    return letters


async def _on_hand(database: Database, product: str, code: str) -> int:
    async with database.sessions() as session:
        warehouse = await session.scalar(select(Warehouse.id).where(Warehouse.code == code))
        level = await session.get(StockLevel, (int(product), warehouse))
        return 0 if level is None else level.on_hand


async def test_erp_adjustments_apply_once_and_bad_ones_are_dead_lettered(
    graphql: GraphQL, database: Database, bus: EventBus
) -> None:
    product = await new_stocked_product(graphql, 10)
    code = await first_warehouse(graphql)
    adjustment = f"ERP-{uuid.uuid4().hex[:8]}"
    data = {"adjustmentId": adjustment, "productId": product, "warehouseCode": code, "delta": 7}
    await publish(bus, ERP_STOCK_ADJUSTMENT, adjustment, data)
    await publish(bus, ERP_STOCK_ADJUSTMENT, adjustment, data)  # sent twice: two events
    unknown = {**data, "adjustmentId": "ERP-X", "warehouseCode": "NOWHERE"}
    await publish(bus, ERP_STOCK_ADJUSTMENT, "ERP-X", unknown)
    # A message that fails its schema (delta 0): bytes a producer check would have refused.
    invalid = json.loads(encode(event_of(ERP_STOCK_ADJUSTMENT, "ERP-0", {**data, "delta": 1})))
    invalid["data"]["delta"] = 0
    raw = json.dumps(invalid).encode()
    await bus.publish(ERP_STOCK_ADJUSTMENT.type, raw, message_id="erp-invalid")
    handler = erp_adjustments.erp_adjustment_handler(database)
    outcomes = await consume(bus, erp_adjustments.CONSUMER, handler)
    assert (outcomes[Outcome.ACKED], outcomes[Outcome.DEAD_LETTERED]) == (2, 2)
    assert await _on_hand(database, product, code) == 10 + 7 + 7  # two distinct events
    adjusted = [e.data for e in await staged(database, InventoryEvent, product)]
    erp = [a for a in adjusted if a.get("cause") == "ERP"]
    assert [(a["delta"], a["reference"]) for a in erp] == [(7, f"erp:{adjustment}")] * 2
    letters = await dead_letters(bus, erp_adjustments.CONSUMER)
    reasons = {
        json.loads(body)["subject"]: headers["Dead-Letter-Reason"] for body, headers in letters
    }
    assert reasons["ERP-X"] == "rejected: no warehouse with code 'NOWHERE'"
    assert reasons["ERP-0"].startswith("invalid event: integration.erp.stock-adjustment v1 delta")
    assert raw in [body for body, _ in letters]  # the original payload, byte for byte


async def test_the_same_erp_event_delivered_again_is_applied_once(
    graphql: GraphQL, database: Database, bus: EventBus
) -> None:
    product = await new_stocked_product(graphql, 10)
    code = await first_warehouse(graphql)
    envelope = event_of(
        ERP_STOCK_ADJUSTMENT,
        "ERP-R",
        {"adjustmentId": "ERP-R", "productId": product, "warehouseCode": code, "delta": -2},
    )
    for message_id in ("first", "redelivered-by-a-relay-crash"):
        await bus.publish(ERP_STOCK_ADJUSTMENT.type, encode(envelope), message_id=message_id)
    handler = erp_adjustments.erp_adjustment_handler(database)
    outcomes = await consume(bus, erp_adjustments.CONSUMER, handler)
    assert outcomes[Outcome.ACKED] == 2
    assert await _on_hand(database, product, code) == 8


async def test_a_pos_sale_becomes_a_store_order_and_decrements_the_store_stock(
    graphql: GraphQL, database: Database, bus: EventBus
) -> None:
    product = await new_stocked_product(graphql, 10)
    store = await first_warehouse(graphql)
    sale = f"S-{uuid.uuid4().hex[:10]}"
    data = {
        "saleId": sale,
        "storeCode": store,
        "customerId": str(_CUSTOMER),
        "currency": "CNY",
        "soldAt": "2026-11-30T18:05:00+08:00",
        "lines": [{"productId": product, "quantity": 3, "unitPriceMinor": 990}],
    }
    await publish(bus, POS_SALE, sale, data)
    await publish(bus, POS_SALE, sale, data)  # the POS resent it: still one order
    outcomes = await consume(bus, pos_sales.CONSUMER, pos_sales.pos_sale_handler(database))
    assert outcomes[Outcome.ACKED] == 2
    async with database.sessions() as session:
        orders = list(
            await session.scalars(
                select(Order).where(Order.idempotency_key == pos_sales.sale_key(store, sale))
            )
        )
    assert len(orders) == 1
    order = orders[0]
    assert (order.channel, order.status, order.total_minor) == (
        OrderChannel.STORE,
        OrderStatus.DELIVERED,
        2970,
    )
    body = await graphql(
        "orders", "query($id: ID!) { order(id: $id) { channel status } }", id=str(order.id)
    )
    assert body["data"]["order"] == {"channel": "STORE", "status": "DELIVERED"}
    placed = await staged(database, OrderEvent, str(order.id))
    assert [(e.type, e.data["channel"], e.data["warehouseCode"]) for e in placed] == [
        ("orders.OrderPlaced", "STORE", store)
    ]
    await relay_pending(database, OrderEvent, bus)
    inventory = order_events.order_event_handler(database)
    await consume(bus, order_events.CONSUMER, inventory)
    assert await _on_hand(database, product, store) == 7
    adjusted = [
        e.data
        for e in await staged(database, InventoryEvent, product)
        if e.type == "inventory.StockAdjusted"
    ]
    assert (adjusted[-1]["cause"], adjusted[-1]["delta"], adjusted[-1]["reference"]) == (
        "STORE_SALE",
        -3,
        f"order:{order.id}",
    )


async def test_crm_contact_updates_apply_and_unknown_customers_are_dead_lettered(
    database: Database, bus: EventBus
) -> None:
    phone = f"+86 21 {uuid.uuid4().int % 10**8:08d}"
    await publish(
        bus,
        CRM_CONTACT_UPDATED,
        str(_CUSTOMER),
        {"customerId": str(_CUSTOMER), "changes": {"phone": phone}},
    )
    await publish(
        bus, CRM_CONTACT_UPDATED, "999999", {"customerId": "999999", "changes": {"tier": "GOLD"}}
    )
    blank_name = {"customerId": str(_CUSTOMER), "changes": {"name": "   "}}
    await publish(bus, CRM_CONTACT_UPDATED, str(_CUSTOMER), blank_name)
    handler = crm_contacts.contact_update_handler(database)
    outcomes = await consume(bus, crm_contacts.CONSUMER, handler)
    assert (outcomes[Outcome.ACKED], outcomes[Outcome.DEAD_LETTERED]) == (1, 2)
    async with database.sessions() as session:
        customer = await session.get(Customer, _CUSTOMER)
    assert customer is not None and customer.phone == phone
    updated = (await staged(database, CustomerEvent, str(_CUSTOMER)))[-1]
    assert (updated.data["changedFields"], updated.data["cause"]) == (["phone"], "CRM")
    assert phone not in json.dumps(dict(updated.data))
    reasons = sorted(
        h["Dead-Letter-Reason"] for _, h in await dead_letters(bus, crm_contacts.CONSUMER)
    )
    assert reasons[0] == f"rejected: customer {_CUSTOMER}: Name must be 1 to 200 characters"
    assert reasons[1] == "rejected: no customer with id 999999"


async def test_the_background_workers_carry_a_pos_sale_to_the_store_stock(
    graphql: GraphQL, database: Database, bus: EventBus
) -> None:
    """``subgraphs.workers``: orders' POS consumer, orders' relay and inventory's consumer,
    all running as the platform runs them."""
    product = await new_stocked_product(graphql, 10)
    store = await first_warehouse(graphql)
    sale = f"S-{uuid.uuid4().hex[:10]}"
    data = {
        "saleId": sale,
        "storeCode": store,
        "customerId": str(_CUSTOMER),
        "currency": "CNY",
        "soldAt": "2026-11-30T18:05:00+08:00",
        "lines": [{"productId": product, "quantity": 4, "unitPriceMinor": 990}],
    }
    async with running_workers({"orders": database, "inventory": database}, bus):
        await publish(bus, POS_SALE, sale, data)
        for _ in range(300):
            if await _on_hand(database, product, store) == 6:
                break
            await asyncio.sleep(0.05)
        else:
            pytest.fail("the workers did not carry the sale to the store's stock")
