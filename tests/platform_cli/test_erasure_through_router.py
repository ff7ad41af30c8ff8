"""After ``eraseCustomer`` the person cannot be found through the router by any query path:
by id, by a search on their name or email, by their orders' customer filter, or from an
order (``Order.customer`` is null: the order and its amounts stay). Also while a domain
that was down has not erased yet: never a 500, never the old data."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from models.base import utcnow
from models.database import Database
from platform_cli.dev import Platform
from subgraphs.customers.erasure import RetryPolicy
from subgraphs.customers.erasure_retrier import retry_due_erasures
from subgraphs.registry import DOMAINS
from tests.project_access import TEST_CREDENTIALS, project_platform, router_client
from tests.subgraphs.gdpr_fleet import SECRET, Fleet, Person, new_person, open_fleet

SUPERGRAPH = Path(__file__).resolve().parents[2] / "schema.graphql"
ERASE = "mutation($id: ID!) { eraseCustomer(customerId: $id) { id status } }"
PATHS = """query($id: ID!, $name: String!, $email: String!, $order: ID!) {
  customer(id: $id) { id name email }
  byName: customers(filter: {search: $name}) { totalCount nodes { id } }
  byEmail: customers(filter: {search: $email}) { totalCount nodes { id } }
  orders(filter: {customerId: $id}) { totalCount nodes { id } }
  order(id: $order) { id total { minorUnits } customer { id name email } }
}"""


@pytest.fixture
async def platform(database: Database) -> AsyncIterator[Platform]:
    async with project_platform({name: database for name in DOMAINS}, SUPERGRAPH.read_text()) as (
        platform
    ):
        yield platform


@pytest.fixture
async def router(platform: Platform) -> AsyncIterator[httpx.AsyncClient]:
    """A staff client with every scope (gdpr:manage and pii:read included)."""
    async with router_client(platform.router_app) as client:
        yield client


@pytest.fixture
async def fleet(database: Database) -> AsyncIterator[Fleet]:
    async for fleet in open_fleet(database):
        yield fleet


async def _paths(router: httpx.AsyncClient, person: Person) -> dict[str, Any]:
    variables = {
        "id": person.customer_id,
        "name": person.name,
        "email": person.email,
        "order": person.order_ids[0],
    }
    response = await router.post("/graphql", json={"query": PATHS, "variables": variables})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _not_found(data: dict[str, Any], person: Person) -> None:
    assert data["customer"] is None
    assert data["byName"] == {"totalCount": 0, "nodes": []}
    assert data["byEmail"] == {"totalCount": 0, "nodes": []}
    assert data["orders"] == {"totalCount": 0, "nodes": []}
    order = data["order"]
    assert order["id"] == person.order_ids[0]
    assert order["total"] == {"minorUnits": person.order_totals[0]}  # kept for accounting
    assert order["customer"] is None


async def test_before_erasure_every_path_finds_the_person(
    router: httpx.AsyncClient, fleet: Fleet
) -> None:
    person = await new_person(fleet, orders=1)
    body = await _paths(router, person)
    assert "errors" not in body, body
    data = body["data"]
    assert data["customer"]["email"] == person.email
    assert data["byName"]["nodes"] == data["byEmail"]["nodes"] == [{"id": person.customer_id}]
    assert data["orders"]["nodes"] == [{"id": person.order_ids[0]}]
    assert data["order"]["customer"]["name"] == person.name


async def test_after_erasure_no_path_finds_the_person(
    router: httpx.AsyncClient, fleet: Fleet
) -> None:
    person = await new_person(fleet, orders=1)
    erased = await fleet.call("customers", ERASE, id=person.customer_id)
    assert erased["data"]["eraseCustomer"]["status"] == "DONE"
    body = await _paths(router, person)
    assert "errors" not in body, body
    _not_found(body["data"], person)


async def test_while_orders_has_not_erased_yet_the_order_shows_no_customer(
    router: httpx.AsyncClient, fleet: Fleet, database: Database
) -> None:
    person = await new_person(fleet, orders=1)
    fleet.take_down("orders")
    erased = await fleet.call("customers", ERASE, id=person.customer_id)
    assert erased["data"]["eraseCustomer"]["status"] == "PENDING"
    body = await _paths(router, person)
    data = body["data"]
    assert data["customer"] is None and data["byEmail"]["nodes"] == []
    assert data["order"]["customer"] is None  # the customers domain has no such customer
    assert data["order"]["total"] == {"minorUnits": person.order_totals[0]}
    assert person.email not in str(body) and person.name not in str(body)
    # the orders domain still links its orders to the id until it is back
    assert data["orders"]["nodes"] == [{"id": person.order_ids[0]}]

    assert "errors" not in body, body  # (the router notes the null Customer.name in extensions)
    fleet.mount("orders")
    await retry_due_erasures(
        database, fleet.peers, SECRET, RetryPolicy(), now=utcnow() + timedelta(hours=1)
    )
    body = await _paths(router, person)
    assert "errors" not in body, body
    _not_found(body["data"], person)


async def test_the_router_erases_for_gdpr_manage_only(
    platform: Platform, router: httpx.AsyncClient, fleet: Fleet
) -> None:
    person = await new_person(fleet, orders=1)
    staff = TEST_CREDENTIALS.token("officer", ["staff", "pii:read"])
    async with router_client(platform.router_app) as plain:
        plain.headers["authorization"] = f"Bearer {staff}"
        refused = await plain.post(
            "/graphql", json={"query": ERASE, "variables": {"id": person.customer_id}}
        )
    body = refused.json()
    assert body["data"] is None or body["data"]["eraseCustomer"] is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHORIZED_FIELD_OR_TYPE"
    assert (await _paths(router, person))["data"]["customer"]["email"] == person.email

    response = await router.post(
        "/graphql", json={"query": ERASE, "variables": {"id": person.customer_id}}
    )
    assert response.json()["data"]["eraseCustomer"]["status"] == "DONE"
    body = await _paths(router, person)
    assert "errors" not in body, body
    _not_found(body["data"], person)
