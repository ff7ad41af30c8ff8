"""No e-mail address or phone number in any log record of the router or the subgraphs while
customers are read, searched and created and an order is placed through the platform (the
records themselves, before :func:`observability.logs.redact` would hide a leak)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from models.database import Database
from models.seed import generate
from observability.logs import (
    EMAIL_PATTERN,
    PHONE_PATTERN,
    ContextFilter,
    JsonFormatter,
    quiet_drivers,
)
from platform_cli.dev import wire_platform
from subgraphs.registry import DOMAINS
from tests.conftest import TEST_SCALE

ROOT = Path(__file__).resolve().parents[2]
SUPERGRAPH = (ROOT / "schema.graphql").read_text(encoding="utf-8")
READ = "query Read { customers(first: 20) { nodes { id email phone } } }"
SEARCH = """query Search($search: String!) {
  customers(first: 5, filter: {search: $search}) { nodes { id email } } }"""
CREATE = """mutation Create($input: CreateCustomerInput!) {
  createCustomer(input: $input) { id email phone } }"""
PLACE = "mutation Place($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }"


def _texts(record: logging.LogRecord) -> list[str]:
    """Everything a handler could write of ``record``: message, extras, traceback."""
    texts = [record.getMessage(), repr(record.__dict__.get("args"))]
    texts += [repr(value) for key, value in record.__dict__.items() if key not in ("msg", "args")]
    return texts


@pytest.fixture
def drivers_quiet() -> Iterator[None]:
    """As configure_logging leaves them (the rest logs at DEBUG in the test)."""
    former = quiet_drivers()
    yield
    for name, level in former.items():
        logging.getLogger(name).setLevel(level)


async def test_no_email_or_phone_in_any_log_line(
    database: Database, caplog: pytest.LogCaptureFixture, drivers_quiet: None
) -> None:
    caplog.set_level(logging.DEBUG)
    unique = uuid.uuid4().hex[:8]
    created = {"name": "Log Test", "email": f"log.{unique}@example.org",
               "phone": "+44 207 946 0958"}  # fmt: skip
    listed = next(p.id for p in generate.products(TEST_SCALE) if p.status == "LISTED")
    order = {"customerId": "9", "idempotencyKey": f"logs-{unique}",
             "lines": [{"productId": str(listed), "quantity": 1}]}  # fmt: skip
    async with wire_platform({name: database for name in DOMAINS}, SUPERGRAPH) as platform:
        transport = httpx.ASGITransport(app=platform.router_app)
        staff = {"authorization": f"Bearer {platform.credentials.staff_token()}"}
        async with httpx.AsyncClient(
            transport=transport, base_url="http://router", headers=staff
        ) as client:
            read = (await client.post("/graphql", json={"query": READ})).json()
            people = read["data"]["customers"]["nodes"]
            search = {"search": people[0]["email"]}
            searched = await client.post("/graphql", json={"query": SEARCH, "variables": search})
            assert searched.json()["data"]["customers"]["nodes"]
            answers = [
                await client.post("/graphql", json={"query": CREATE, "variables": {"input": i}})
                for i in (created, {**created, "email": "not-an-email +1 (555) 123-4567"})
            ]
            assert answers[0].json()["data"]["createCustomer"]["email"] == created["email"]
            assert answers[1].json()["errors"]  # refused: its message must not be logged as is
            placed = await client.post(
                "/graphql", json={"query": PLACE, "variables": {"input": order}}
            )
            assert "errors" not in placed.json()
            by_get = await client.get(  # personal data in the URL
                "/graphql",
                params={"query": SEARCH, "variables": f'{{"search": "{people[1]["email"]}"}}'},
                headers={"apollo-require-preflight": "true"},
            )
            assert by_get.status_code == 200
    secrets = {created["email"], created["phone"]}
    secrets |= {p["email"] for p in people} | {p["phone"] for p in people if p["phone"]}
    records = [r for r in caplog.records if r.name.startswith(("router", "subgraphs"))]
    assert any(r.name == "router.access" for r in records)
    assert any(r.name == "subgraphs.access" for r in records)
    for record in caplog.records:
        for text in _texts(record):
            assert not any(secret in text for secret in secrets), (record.name, text)
            assert not EMAIL_PATTERN.search(text), (record.name, text)
            assert not PHONE_PATTERN.search(text), (record.name, text)


def test_json_lines_carry_the_request_id_and_hide_personal_data() -> None:
    handler_record = logging.LogRecord(
        "subgraphs", logging.INFO, __file__, 1, "refused %s", ("a.b@example.com",), None
    )
    ContextFilter().filter(handler_record)
    line = JsonFormatter().format(handler_record)
    assert '"message": "refused [email]"' in line
    assert '"request_id": null' in line and '"level": "INFO"' in line
