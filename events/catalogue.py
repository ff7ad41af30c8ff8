"""The event catalogue: every event type the platform knows and its versioned JSON Schema.

A schema lives in ``events/schemas/<domain>.<Name>.v<version>.json``; its ``$id`` is the
``dataschema`` URI the events of that version carry. Domain events come from
``/ops-platform/<domain>``; inbound integration messages (``integration.<system>.<kind>``)
from ``/integration/<system>``, the system that sent them. Older versions stay catalogued
so that events already in a stream still validate. ``check`` is what producers call before
an event enters an outbox and consumers call before handling one: an unknown type, a
``dataschema`` of no known version, or data that fails the schema is a ``SchemaViolation``.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from events.envelope import Envelope, new_envelope
from events.errors import SchemaViolation

__all__ = [
    "CAMPAIGN_STATUS_CHANGED",
    "CATALOGUE",
    "COUPON_REDEEMED",
    "CRM_CONTACT_UPDATED",
    "CUSTOMER_REGISTERED",
    "CUSTOMER_UPDATED",
    "ERP_STOCK_ADJUSTMENT",
    "INTEGRATION_TYPES",
    "ORDER_CANCELLED",
    "ORDER_PLACED",
    "ORDER_PLACED_V1",
    "ORDER_STATUS_CHANGED",
    "POS_SALE",
    "PRICE_CHANGED",
    "PRODUCT_CREATED",
    "PRODUCT_DELISTED",
    "PRODUCT_LISTED",
    "RESERVATION_CONFIRMED",
    "SCHEMA_DIR",
    "STOCK_ADJUSTED",
    "STOCK_FULFILLED",
    "STOCK_LOW",
    "STOCK_RELEASED",
    "STOCK_RESERVED",
    "EventType",
    "check",
    "event_of",
]

SCHEMA_DIR = Path(__file__).parent / "schemas"
INTEGRATION = "integration"


@dataclass(frozen=True, slots=True)
class EventType:
    domain: str
    name: str
    version: int

    @property
    def type(self) -> str:
        """The CloudEvents ``type`` (and the bus subject): ``orders.OrderPlaced``."""
        return f"{self.domain}.{self.name}"

    @property
    def source(self) -> str:
        if self.domain == INTEGRATION:
            return f"/integration/{self.name.split('.', 1)[0]}"
        return f"/ops-platform/{self.domain}"

    @property
    def dataschema(self) -> str:
        return f"urn:ops-platform:events:{self.type}:v{self.version}"

    @property
    def schema_path(self) -> Path:
        return SCHEMA_DIR / f"{self.type}.v{self.version}.json"


ORDER_PLACED_V1 = EventType("orders", "OrderPlaced", 1)
ORDER_PLACED = EventType("orders", "OrderPlaced", 2)  # v2: channel, reservation, store
ORDER_STATUS_CHANGED = EventType("orders", "OrderStatusChanged", 1)
ORDER_CANCELLED = EventType("orders", "OrderCancelled", 1)

STOCK_RESERVED = EventType("inventory", "StockReserved", 1)
STOCK_RELEASED = EventType("inventory", "StockReleased", 1)
RESERVATION_CONFIRMED = EventType("inventory", "ReservationConfirmed", 1)
STOCK_FULFILLED = EventType("inventory", "StockFulfilled", 1)
STOCK_ADJUSTED = EventType("inventory", "StockAdjusted", 1)
STOCK_LOW = EventType("inventory", "StockLow", 1)

PRODUCT_CREATED = EventType("products", "ProductCreated", 1)
PRODUCT_LISTED = EventType("products", "ProductListed", 1)
PRODUCT_DELISTED = EventType("products", "ProductDelisted", 1)
PRICE_CHANGED = EventType("products", "PriceChanged", 1)

CUSTOMER_REGISTERED = EventType("customers", "CustomerRegistered", 1)
CUSTOMER_UPDATED = EventType("customers", "CustomerUpdated", 1)

COUPON_REDEEMED = EventType("marketing", "CouponRedeemed", 1)
CAMPAIGN_STATUS_CHANGED = EventType("marketing", "CampaignStatusChanged", 1)

ERP_STOCK_ADJUSTMENT = EventType(INTEGRATION, "erp.stock-adjustment", 1)
POS_SALE = EventType(INTEGRATION, "pos.sale", 1)
CRM_CONTACT_UPDATED = EventType(INTEGRATION, "crm.contact-updated", 1)

INTEGRATION_TYPES: Mapping[str, EventType] = {
    event_type.type: event_type
    for event_type in (ERP_STOCK_ADJUSTMENT, POS_SALE, CRM_CONTACT_UPDATED)
}

CATALOGUE: Mapping[str, EventType] = {
    event_type.dataschema: event_type
    for event_type in (
        ORDER_PLACED_V1,
        ORDER_PLACED,
        ORDER_STATUS_CHANGED,
        ORDER_CANCELLED,
        STOCK_RESERVED,
        STOCK_RELEASED,
        RESERVATION_CONFIRMED,
        STOCK_FULFILLED,
        STOCK_ADJUSTED,
        STOCK_LOW,
        PRODUCT_CREATED,
        PRODUCT_LISTED,
        PRODUCT_DELISTED,
        PRICE_CHANGED,
        CUSTOMER_REGISTERED,
        CUSTOMER_UPDATED,
        COUPON_REDEEMED,
        CAMPAIGN_STATUS_CHANGED,
        *INTEGRATION_TYPES.values(),
    )
}


@functools.cache
def _validator(event_type: EventType) -> Draft202012Validator:
    schema: dict[str, Any] = json.loads(event_type.schema_path.read_text())
    Draft202012Validator.check_schema(schema)
    if schema.get("$id") != event_type.dataschema:
        raise ValueError(f"{event_type.schema_path.name}: $id must be {event_type.dataschema}")
    return Draft202012Validator(schema, format_checker=FormatChecker())


def check(envelope: Envelope) -> EventType:
    """The catalogued type of ``envelope``; ``SchemaViolation`` when it does not conform."""
    event_type = CATALOGUE.get(envelope.dataschema)
    if event_type is None:
        raise SchemaViolation(f"no schema {envelope.dataschema!r} in the catalogue")
    if envelope.type != event_type.type or envelope.source != event_type.source:
        raise SchemaViolation(
            f"{envelope.dataschema} is for type {event_type.type!r} from {event_type.source!r},"
            f" not {envelope.type!r} from {envelope.source!r}"
        )
    errors = sorted(_validator(event_type).iter_errors(envelope.data), key=lambda e: e.path)
    if errors:
        where = "/".join(str(part) for part in errors[0].absolute_path) or "(data)"
        raise SchemaViolation(
            f"{event_type.type} v{event_type.version} {where}: {errors[0].message}"
        )
    return event_type


def event_of(event_type: EventType, subject: str, data: Mapping[str, Any]) -> Envelope:
    """A new, checked event of ``event_type`` about aggregate ``subject``."""
    envelope = new_envelope(
        source=event_type.source,
        type=event_type.type,
        subject=subject,
        dataschema=event_type.dataschema,
        data=data,
    )
    check(envelope)
    return envelope
