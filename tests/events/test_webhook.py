"""The HTTP webhook bridge on both buses: a signed, valid integration event is answered 202
only once it is stored on the bus (a consumer then reads the exact bytes); a bad signature
is 401 before anything is read, a schema failure or another source's type 400 with the
reason, an unknown source 404, an oversized body 413, a bus that cannot store 503."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from events.bus import ConsumerSpec, EventBus
from events.catalogue import CRM_CONTACT_UPDATED, ERP_STOCK_ADJUSTMENT, event_of
from events.embedded_bus import EmbeddedBus
from events.envelope import encode
from events.nats_bus import NatsBus
from events.webhook import MAX_BODY_BYTES, SIGNATURE_HEADER, secrets_from_env, sign, webhook_app
from models.database import open_database
from tests.events.buses import BUS_KINDS, own_bus

CLOSED_PORT = 7899  # in this suite's port range; nothing listens
SECRETS = {"erp": b"erp-secret", "crm": b"crm-secret"}
_ADJUSTMENT = {"adjustmentId": "A-1", "productId": "5", "warehouseCode": "WH-1", "delta": 4}


@pytest.fixture(params=BUS_KINDS)
async def bus(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[EventBus]:
    async with own_bus(request.param, tmp_path) as bus:
        yield bus


def _client(bus: EventBus) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=webhook_app(bus, SECRETS))
    return httpx.AsyncClient(transport=transport, base_url="http://webhook.test")


async def _post(
    client: httpx.AsyncClient, source: str, body: bytes, secret: bytes | None = None
) -> httpx.Response:
    signature = sign(secret if secret is not None else SECRETS.get(source, b""), body)
    return await client.post(
        f"/integration/{source}",
        content=body,
        headers={SIGNATURE_HEADER: signature, "content-type": "application/cloudevents+json"},
    )


async def _stored(bus: EventBus, subject: str) -> list[bytes]:
    reader = ConsumerSpec(
        stream="integration", name=f"reader-{uuid.uuid4().hex[:8]}", filter_subject=subject
    )
    stored: list[bytes] = []
    while deliveries := await bus.fetch(reader, batch=50, timeout=0.2):
        for delivery in deliveries:
            stored.append(delivery.data)
            await delivery.ack()
    return stored


async def test_a_signed_valid_event_is_stored_once_then_answered_202(bus: EventBus) -> None:
    body = encode(event_of(ERP_STOCK_ADJUSTMENT, "A-1", _ADJUSTMENT))
    async with _client(bus) as client:
        first = await _post(client, "erp", body)
        again = await _post(client, "erp", body)  # a sender's retry
    assert first.status_code == 202, first.text
    answer: dict[str, Any] = first.json()
    assert answer["subject"] == "integration.erp.stock-adjustment"
    assert again.status_code == 202 and again.json()["sequence"] == answer["sequence"]
    assert await _stored(bus, ERP_STOCK_ADJUSTMENT.type) == [body]


async def test_a_bad_signature_is_401_and_nothing_is_stored(bus: EventBus) -> None:
    body = encode(event_of(ERP_STOCK_ADJUSTMENT, "A-1", _ADJUSTMENT))
    async with _client(bus) as client:
        wrong = await _post(client, "erp", body, secret=b"guessed")
        other = await _post(client, "erp", body, secret=SECRETS["crm"])  # another source's
        missing = await client.post("/integration/erp", content=body)
        altered = body.replace(b'"A-1"', b'"A-2"')
        assert altered != body
        tampered = await client.post(
            "/integration/erp",
            content=altered,
            headers={SIGNATURE_HEADER: sign(SECRETS["erp"], body)},
        )
    assert [r.status_code for r in (wrong, other, missing, tampered)] == [401] * 4
    assert wrong.json() == {"error": f"missing or invalid {SIGNATURE_HEADER}"}
    assert await _stored(bus, ERP_STOCK_ADJUSTMENT.type) == []


async def test_schema_failures_and_foreign_types_are_400_with_the_reason(bus: EventBus) -> None:
    document = json.loads(encode(event_of(ERP_STOCK_ADJUSTMENT, "A-1", _ADJUSTMENT)))
    document["data"]["delta"] = 0
    crm = encode(
        event_of(CRM_CONTACT_UPDATED, "3", {"customerId": "3", "changes": {"tier": "GOLD"}})
    )
    async with _client(bus) as client:
        invalid = await _post(client, "erp", json.dumps(document).encode())
        not_json = await _post(client, "erp", b"{not json")
        foreign = await _post(client, "erp", crm, secret=SECRETS["erp"])
    assert invalid.status_code == 400
    assert invalid.json()["error"].startswith("integration.erp.stock-adjustment v1 delta:")
    assert not_json.status_code == 400 and not_json.json()["error"].startswith("not JSON")
    assert foreign.status_code == 400
    assert (
        foreign.json()["error"]
        == "integration.crm.contact-updated is not an integration type of 'erp'"
    )
    assert await _stored(bus, "integration.>") == []


async def test_unknown_source_and_oversized_body() -> None:
    store = open_database("sqlite+aiosqlite:///:memory:")
    bus = EmbeddedBus(store, owns_database=True)
    async with _client(bus) as client:
        unknown = await _post(client, "oa", b"{}", secret=b"x")
        huge = await _post(client, "erp", b" " * (MAX_BODY_BYTES + 1))
    await bus.close()
    assert (unknown.status_code, huge.status_code) == (404, 413)


async def test_a_bus_that_cannot_store_is_503() -> None:
    bus = NatsBus(f"nats://127.0.0.1:{CLOSED_PORT}")  # nothing listens there
    body = encode(event_of(ERP_STOCK_ADJUSTMENT, "A-1", _ADJUSTMENT))
    async with _client(bus) as client:
        response = await _post(client, "erp", body)
    await bus.close()
    assert response.status_code == 503 and response.json()["error"].startswith("not stored")


def test_secrets_come_from_the_environment_per_source() -> None:
    environ = {
        "INTEGRATION_SECRET_ERP": "a",
        "INTEGRATION_SECRET_POS": "b",
        "INTEGRATION_SECRET_CRM": "",
    }
    assert secrets_from_env(environ) == {"erp": b"a", "pos": b"b"}
