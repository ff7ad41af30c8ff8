"""The CloudEvents 1.0 structured JSON envelope: round trip, the attributes it must carry,
and what is rejected as not an event."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from events.envelope import Envelope, decode, encode, new_envelope
from events.errors import InvalidEvent


def _event() -> Envelope:
    return new_envelope(
        source="/ops-platform/orders",
        type="orders.OrderPlaced",
        subject="42",
        dataschema="urn:ops-platform:events:orders.OrderPlaced:v1",
        data={"orderId": "42"},
        time=datetime(2026, 12, 1, 8, 30, tzinfo=UTC),
    )


def test_structured_mode_round_trip() -> None:
    event = _event()
    document = json.loads(encode(event))
    assert document == {
        "specversion": "1.0",
        "id": event.id,
        "source": "/ops-platform/orders",
        "type": "orders.OrderPlaced",
        "subject": "42",
        "time": "2026-12-01T08:30:00Z",
        "datacontenttype": "application/json",
        "dataschema": "urn:ops-platform:events:orders.OrderPlaced:v1",
        "data": {"orderId": "42"},
    }
    assert decode(encode(event)) == event


def test_every_event_gets_its_own_id() -> None:
    assert _event().id != _event().id


def _with(**changes: object) -> bytes:
    document = json.loads(encode(_event()))
    document.update(changes)
    return json.dumps({k: v for k, v in document.items() if v is not None}).encode()


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"{nope", "not JSON"),
        (b"[1]", "a structured CloudEvent is a JSON object"),
        (_with(specversion="0.3"), "specversion must be '1.0'"),
        (_with(subject=None), "missing attribute(s): subject"),
        (_with(time=None, dataschema=None), "missing attribute(s): time, dataschema"),
        (_with(datacontenttype="text/plain"), "datacontenttype must be 'application/json'"),
        (_with(data=[1, 2]), "data must be a JSON object"),
        (_with(id=""), "not a valid CloudEvent"),
        (_with(time="yesterday"), "not a valid CloudEvent"),
        (_with(time="2026-12-01T08:30:00"), "not a valid CloudEvent"),  # no UTC offset
    ],
)
def test_what_is_not_an_event(raw: bytes, reason: str) -> None:
    with pytest.raises(InvalidEvent) as raised:
        decode(raw)
    assert str(raised.value).startswith(reason)
