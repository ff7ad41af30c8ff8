"""The catalogue: every schema file is a valid, catalogued JSON Schema named after its
``$id``, and an event is checked against the schema its ``dataschema`` names."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from events.catalogue import CATALOGUE, ORDER_PLACED_V1, SCHEMA_DIR, check, event_of
from events.errors import SchemaViolation

_PLACED = {
    "orderId": "7",
    "customerId": "3",
    "currency": "CNY",
    "placedAt": "2026-12-01T08:30:00+00:00",
    "lines": [{"productId": "5", "quantity": 2, "unitPriceMinor": 1999}],
}


def test_every_schema_file_is_catalogued_under_its_id() -> None:
    files = sorted(path.name for path in SCHEMA_DIR.glob("*.json"))
    assert files == sorted(t.schema_path.name for t in CATALOGUE.values())
    for event_type in CATALOGUE.values():
        schema = json.loads(event_type.schema_path.read_text())
        assert schema["$id"] == event_type.dataschema
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["additionalProperties"] is False


def test_a_conforming_event_passes() -> None:
    assert check(event_of(ORDER_PLACED_V1, "7", _PLACED)) is ORDER_PLACED_V1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({**_PLACED, "lines": []}, "orders.OrderPlaced v1 lines: [] should be non-empty"),
        ({**_PLACED, "orderId": 7}, "orders.OrderPlaced v1 orderId: 7 is not of type 'string'"),
        ({**_PLACED, "extra": 1}, "Additional properties are not allowed ('extra' was unexpected)"),
        (
            {**_PLACED, "lines": [{"productId": "5", "quantity": 0, "unitPriceMinor": 1}]},
            "orders.OrderPlaced v1 lines/0/quantity: 0 is less than the minimum of 1",
        ),
    ],
)
def test_a_producer_cannot_build_an_event_that_fails_its_schema(
    data: dict[str, object], message: str
) -> None:
    with pytest.raises(SchemaViolation) as raised:
        event_of(ORDER_PLACED_V1, "7", data)
    assert message in str(raised.value)


def test_unknown_schema_and_mismatched_type_are_violations() -> None:
    event = event_of(ORDER_PLACED_V1, "7", _PLACED)
    with pytest.raises(SchemaViolation, match="no schema 'urn:x:y' in the catalogue"):
        check(replace(event, dataschema="urn:x:y"))
    with pytest.raises(SchemaViolation, match=r"is for type 'orders\.OrderPlaced'"):
        check(replace(event, type="orders.OrderShipped"))
