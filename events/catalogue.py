"""The event catalogue: every event type the platform knows and its versioned JSON Schema.

A schema lives in ``events/schemas/<domain>.<Name>.v<version>.json``; its ``$id`` is the
``dataschema`` URI the events of that version carry. ``check`` is what producers call before
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
    "CATALOGUE",
    "ORDER_CANCELLED",
    "ORDER_PLACED",
    "ORDER_STATUS_CHANGED",
    "SCHEMA_DIR",
    "EventType",
    "check",
    "event_of",
]

SCHEMA_DIR = Path(__file__).parent / "schemas"


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
        return f"/ops-platform/{self.domain}"

    @property
    def dataschema(self) -> str:
        return f"urn:ops-platform:events:{self.type}:v{self.version}"

    @property
    def schema_path(self) -> Path:
        return SCHEMA_DIR / f"{self.type}.v{self.version}.json"


ORDER_PLACED = EventType("orders", "OrderPlaced", 1)
ORDER_STATUS_CHANGED = EventType("orders", "OrderStatusChanged", 1)
ORDER_CANCELLED = EventType("orders", "OrderCancelled", 1)

CATALOGUE: Mapping[str, EventType] = {
    event_type.dataschema: event_type
    for event_type in (ORDER_PLACED, ORDER_STATUS_CHANGED, ORDER_CANCELLED)
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
