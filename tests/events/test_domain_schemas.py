"""Every catalogued event type has a conforming sample here; a producer cannot build or
stage an event of any type that breaks its schema (a field missing, a field unknown, a
value of the wrong shape), and the customers events have no room for personal data."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from events.catalogue import CATALOGUE, EventType, event_of
from events.errors import SchemaViolation
from events.outbox import stage
from models.database import open_database
from tests.events.harness import make_tables, new_namespace

_T = "2026-12-01T08:30:00+00:00"
_LINES = [{"productId": "5", "warehouseCode": "WH-EAST", "quantity": 2}]
_MONEY = {"priceMinor": 1999, "currency": "CNY"}

SAMPLES: dict[str, dict[str, Any]] = {
    "orders.OrderPlaced:v1": {
        "orderId": "7",
        "customerId": "3",
        "currency": "CNY",
        "placedAt": _T,
        "lines": [{"productId": "5", "quantity": 2, "unitPriceMinor": 1999}],
    },
    "orders.OrderPlaced:v2": {
        "orderId": "7",
        "customerId": "3",
        "channel": "ONLINE",
        "reservationReference": "order:3:key-1",
        "currency": "CNY",
        "placedAt": _T,
        "lines": [{"productId": "5", "quantity": 2, "unitPriceMinor": 1999}],
    },
    "orders.OrderStatusChanged:v1": {
        "orderId": "7",
        "customerId": "3",
        "from": "PENDING",
        "to": "PAID",
        "changedAt": _T,
    },
    "orders.OrderCancelled:v1": {
        "orderId": "7",
        "customerId": "3",
        "previousStatus": "PAID",
        "cancelledAt": _T,
        "lines": [{"productId": "5", "quantity": 2}],
    },
    "inventory.StockReserved:v1": {
        "reference": "order:3:key-1",
        "lines": _LINES,
        "reservedAt": _T,
        "expiresAt": _T,
    },
    "inventory.StockReleased:v1": {
        "reference": "order:3:key-1",
        "reason": "EXPIRED",
        "lines": _LINES,
        "releasedAt": _T,
    },
    "inventory.ReservationConfirmed:v1": {
        "reference": "order:3:key-1",
        "orderId": "7",
        "confirmedAt": _T,
    },
    "inventory.StockFulfilled:v1": {
        "reference": "order:3:key-1",
        "lines": _LINES,
        "fulfilledAt": _T,
    },
    "inventory.StockAdjusted:v1": {
        "productId": "5",
        "warehouseCode": "WH-EAST",
        "delta": -3,
        "onHand": 10,
        "reserved": 2,
        "cause": "ERP",
        "reference": "erp:A-1",
        "adjustedAt": _T,
    },
    "inventory.StockLow:v1": {
        "productId": "5",
        "available": 4,
        "threshold": 10,
        "detectedAt": _T,
    },
    "products.ProductCreated:v1": {
        "productId": "5",
        "sku": "SKU-000005",
        "category": "kitchen",
        "price": _MONEY,
        "createdAt": _T,
    },
    "products.ProductListed:v1": {"productId": "5", "previousStatus": "DRAFT", "listedAt": _T},
    "products.ProductDelisted:v1": {"productId": "5", "delistedAt": _T},
    "products.PriceChanged:v1": {
        "productId": "5",
        "previous": _MONEY,
        "current": {"priceMinor": 2499, "currency": "CNY"},
        "changedAt": _T,
    },
    "customers.CustomerRegistered:v1": {"customerId": "3", "tier": "BRONZE", "registeredAt": _T},
    "customers.CustomerUpdated:v1": {
        "customerId": "3",
        "changedFields": ["email", "tier"],
        "tier": "GOLD",
        "cause": "CRM",
        "updatedAt": _T,
    },
    "marketing.CouponRedeemed:v1": {
        "couponId": "4",
        "code": "WINTER-10",
        "campaignId": "2",
        "redemptions": 1,
        "maxRedemptions": 100,
        "redeemedAt": _T,
    },
    "marketing.CampaignStatusChanged:v1": {
        "campaignId": "2",
        "from": "DRAFT",
        "to": "ACTIVE",
        "changedAt": _T,
    },
    "integration.erp.stock-adjustment:v1": {
        "adjustmentId": "A-1",
        "productId": "5",
        "warehouseCode": "WH-EAST",
        "delta": 12,
    },
    "integration.pos.sale:v1": {
        "saleId": "S-1",
        "storeCode": "WH-EAST",
        "customerId": "3",
        "currency": "CNY",
        "soldAt": _T,
        "lines": [{"productId": "5", "quantity": 1, "unitPriceMinor": 1999}],
    },
    "integration.crm.contact-updated:v1": {"customerId": "3", "changes": {"phone": "+86 10 1"}},
}

TYPES = sorted(CATALOGUE.values(), key=lambda t: (t.type, t.version))


def _key(event_type: EventType) -> str:
    return f"{event_type.type}:v{event_type.version}"


def _schema(event_type: EventType) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(event_type.schema_path.read_text())
    return schema


def test_every_catalogued_type_has_a_sample() -> None:
    assert sorted(SAMPLES) == sorted(_key(t) for t in TYPES)


@pytest.mark.parametrize("event_type", TYPES, ids=_key)
def test_the_sample_conforms(event_type: EventType) -> None:
    event = event_of(event_type, "1", SAMPLES[_key(event_type)])
    assert event.dataschema == event_type.dataschema


@pytest.mark.parametrize("event_type", TYPES, ids=_key)
def test_a_missing_required_field_is_refused(event_type: EventType) -> None:
    for field in _schema(event_type)["required"]:
        data = {k: v for k, v in SAMPLES[_key(event_type)].items() if k != field}
        with pytest.raises(SchemaViolation, match=f"'{field}' is a required property"):
            event_of(event_type, "1", data)


@pytest.mark.parametrize("event_type", TYPES, ids=_key)
def test_an_unknown_field_is_refused(event_type: EventType) -> None:
    data = {**SAMPLES[_key(event_type)], "unexpected": 1}
    with pytest.raises(SchemaViolation, match="'unexpected' was unexpected"):
        event_of(event_type, "1", data)


@pytest.mark.parametrize("event_type", TYPES, ids=_key)
def test_an_id_of_the_wrong_shape_is_refused(event_type: EventType) -> None:
    sample = SAMPLES[_key(event_type)]
    id_fields = [k for k in sample if k.endswith("Id") and k not in ("adjustmentId", "saleId")]
    for field in id_fields:
        with pytest.raises(SchemaViolation, match="is not of type 'string'"):
            event_of(event_type, "1", {**sample, field: 5})


@pytest.mark.parametrize(
    ("key", "path", "value"),
    [
        ("orders.OrderPlaced:v2", ("channel",), "STORE"),  # a store sale names its warehouse
        ("inventory.StockAdjusted:v1", ("delta",), 0),
        ("inventory.StockReleased:v1", ("reason",), "LOST"),
        ("inventory.StockReserved:v1", ("lines", 0, "quantity"), 0),
        ("products.PriceChanged:v1", ("current", "currency"), "yuan"),
        ("customers.CustomerUpdated:v1", ("changedFields",), ["birthday"]),
        ("marketing.CampaignStatusChanged:v1", ("to",), "PAUSED"),
        ("integration.erp.stock-adjustment:v1", ("delta",), 0),
        ("integration.pos.sale:v1", ("lines",), []),
        ("integration.crm.contact-updated:v1", ("changes",), {}),
    ],
)
def test_a_value_of_the_wrong_shape_is_refused(
    key: str, path: tuple[str | int, ...], value: object
) -> None:
    data = copy.deepcopy(SAMPLES[key])
    target: Any = data
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    event_type = next(t for t in TYPES if _key(t) == key)
    with pytest.raises(SchemaViolation):
        event_of(event_type, "1", data)


def test_customer_events_have_no_room_for_personal_data() -> None:
    for key in ("customers.CustomerRegistered:v1", "customers.CustomerUpdated:v1"):
        event_type = next(t for t in TYPES if _key(t) == key)
        properties = set(_schema(event_type)["properties"])
        assert properties.isdisjoint({"name", "email", "phone", "addresses", "tags"})
        for field in ("email", "name", "phone"):
            with pytest.raises(SchemaViolation):
                event_of(event_type, "3", {**SAMPLES[key], field: "x@example.com"})


async def test_stage_refuses_an_invalid_event_of_every_domain(tmp_path: Path) -> None:
    """``stage`` re-checks what it is given: an envelope altered after it was built (the
    only way past ``event_of``) never reaches an outbox."""
    database = open_database(f"sqlite+aiosqlite:///{tmp_path / 'producer.db'}")
    tables = make_tables(new_namespace())
    await database.create_tables(tables.metadata)
    try:
        for event_type in TYPES:
            valid = event_of(event_type, "1", SAMPLES[_key(event_type)])
            broken = replace(valid, data={**valid.data, "unexpected": True})
            async with database.sessions() as session:
                with pytest.raises(SchemaViolation):
                    stage(session, tables.outbox, broken)
                assert not session.new
    finally:
        await database.dispose()
