"""The outbound example (``examples/order_events_consumer.py``) run as an outside system
would: against NATS JetStream, it prints each order event and acknowledges it, so a second
run of the same durable consumer finds nothing left."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator

import pytest

from events.catalogue import ORDER_PLACED, ORDER_STATUS_CHANGED, event_of
from events.envelope import encode
from events.errors import BrokerUnavailable
from events.nats_bus import NatsBus
from tests.events.harness import NATS_URL, new_namespace
from tests.readme import README

SCRIPT = README.parent / "examples" / "order_events_consumer.py"


@pytest.fixture
async def nats_bus() -> AsyncIterator[NatsBus]:
    bus = NatsBus(NATS_URL, namespace=new_namespace())
    try:
        await bus.jetstream()
    except BrokerUnavailable as error:
        pytest.skip(f"NATS JetStream not reachable at {NATS_URL}: {error}")
    yield bus
    await bus.delete_streams("orders")
    await bus.close()


def _run(bus: NatsBus) -> list[str]:
    result = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "--url",
            NATS_URL,
            "--stream",
            bus.stream_name("orders"),
            "--subject",
            bus.subject("orders.>"),
            "--durable",
            "erp-test",
            "--once",
            "--wait",
            "0.5",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


async def test_the_example_prints_and_acks_order_events(nats_bus: NatsBus) -> None:
    placed = event_of(
        ORDER_PLACED,
        "41",
        {
            "orderId": "41",
            "customerId": "3",
            "channel": "ONLINE",
            "currency": "CNY",
            "placedAt": "2026-12-01T08:30:00+00:00",
            "lines": [{"productId": "5", "quantity": 1, "unitPriceMinor": 100}],
        },
    )
    paid = event_of(
        ORDER_STATUS_CHANGED,
        "41",
        {
            "orderId": "41",
            "customerId": "3",
            "from": "PENDING",
            "to": "PAID",
            "changedAt": "2026-12-01T08:31:00+00:00",
        },
    )
    for event in (placed, paid):
        await nats_bus.publish(event.type, encode(event), message_id=event.id)
    first = _run(nats_bus)
    assert len(first) == 3, first
    assert "orders.OrderPlaced order=41 customerId=3 channel=ONLINE currency=CNY" in first[0]
    assert "orders.OrderStatusChanged order=41 customerId=3 from=PENDING to=PAID" in first[1]
    assert first[2] == "2 event(s) handled"
    assert _run(nats_bus) == ["0 event(s) handled"]  # acked: nothing is delivered again
