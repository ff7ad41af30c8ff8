"""The CloudEvents 1.0 envelope in JSON structured mode.

Every event on the bus is one JSON object: the context attributes (``specversion``, ``id``,
``source``, ``type``, ``subject``, ``time``, ``datacontenttype``, ``dataschema``) beside its
``data``. The ``cloudevents`` library checks the attributes against the specification and
writes/reads the structured format; ``Envelope`` is the platform's frozen view of it, with
the attributes this platform requires (``subject`` is the aggregate id, ``time`` and
``dataschema`` are always set, ``data`` is a JSON object).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cloudevents.core.exceptions import BaseCloudEventException
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent

from events.errors import InvalidEvent

__all__ = ["JSON", "Envelope", "decode", "encode", "new_envelope"]

JSON = "application/json"
_FORMAT = JSONFormat()


@dataclass(frozen=True, slots=True)
class Envelope:
    id: str
    source: str
    type: str
    subject: str  # the aggregate's id (an order id for orders.*)
    time: datetime
    dataschema: str
    data: Mapping[str, Any] = field(default_factory=dict)
    datacontenttype: str = JSON


def new_envelope(
    *,
    source: str,
    type: str,
    subject: str,
    dataschema: str,
    data: Mapping[str, Any],
    time: datetime | None = None,
) -> Envelope:
    """A new event with a fresh id, stamped now unless ``time`` is given."""
    return Envelope(
        id=str(uuid.uuid4()),
        source=source,
        type=type,
        subject=subject,
        time=(time or datetime.now(UTC)).astimezone(UTC),
        dataschema=dataschema,
        data=dict(data),
    )


def encode(envelope: Envelope) -> bytes:
    """The structured-mode JSON of ``envelope`` (``application/cloudevents+json``)."""
    attributes: dict[str, Any] = {
        "id": envelope.id,
        "source": envelope.source,
        "type": envelope.type,
        "subject": envelope.subject,
        "time": envelope.time,
        "datacontenttype": envelope.datacontenttype,
        "dataschema": envelope.dataschema,
    }
    try:
        return _FORMAT.write(CloudEvent(attributes, dict(envelope.data)))
    except BaseCloudEventException as error:
        raise InvalidEvent(f"not a valid CloudEvent: {error}") from error


def decode(raw: bytes) -> Envelope:
    """Read a structured-mode event; ``InvalidEvent`` says what is wrong with it."""
    try:
        document = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidEvent(f"not JSON: {error}") from error
    if not isinstance(document, dict):
        raise InvalidEvent("a structured CloudEvent is a JSON object")
    if document.get("specversion") != "1.0":
        raise InvalidEvent(f"specversion must be '1.0', got {document.get('specversion')!r}")
    missing = [name for name in ("subject", "time", "dataschema") if not document.get(name)]
    if missing:
        raise InvalidEvent(f"missing attribute(s): {', '.join(missing)}")
    if document.get("datacontenttype", JSON) != JSON:
        raise InvalidEvent(f"datacontenttype must be {JSON!r}")
    if not isinstance(document.get("data"), dict):
        raise InvalidEvent("data must be a JSON object")
    try:
        event = _FORMAT.read(CloudEvent, raw)
    except (BaseCloudEventException, ValueError, TypeError, OverflowError) as error:
        raise InvalidEvent(f"not a valid CloudEvent: {error}") from error
    attributes = event.get_attributes()
    data = event.get_data()
    if not isinstance(data, dict):  # checked above; the library keeps JSON objects as dicts
        raise InvalidEvent("data must be a JSON object")
    time = attributes["time"]  # timezone-aware: the library refuses others
    return Envelope(
        id=attributes["id"],
        source=attributes["source"],
        type=attributes["type"],
        subject=attributes["subject"],
        time=time.astimezone(UTC),
        dataschema=attributes["dataschema"],
        data=data,
    )
