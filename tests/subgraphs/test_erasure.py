"""eraseCustomer and exportCustomerData across every domain (in-process, identity verified
with a shared secret): the export holds each domain's data; erasure empties every domain
but keeps order amounts; a domain down or crashing is finished by the retrier when it is
back; idempotency; FORBIDDEN without ``gdpr:manage`` (nothing changed)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from events.envelope import decode
from models.base import utcnow
from models.customers import Address, Customer, ErasureRequest
from models.database import Database
from models.inventory import InventoryEvent, Reservation, ReservationStatus
from models.marketing import ErasedCustomer, PurchaseFact, RecordedOrder
from models.orders import Order, OrderEvent
from subgraphs.customers.erasure import RetryPolicy
from subgraphs.customers.erasure_retrier import retry_due_erasures, retry_erasures_forever
from subgraphs.marketing.recording import apply_order_cancelled, apply_order_placed
from subgraphs.marketing.validation import PlacedOrder
from tests.subgraphs.gdpr_fleet import (
    LISTED,
    SECRET,
    STAFF,
    Fleet,
    Person,
    new_person,
    open_fleet,
)

ERASE = """mutation($id: ID!) { eraseCustomer(customerId: $id) {
  id customerId status requestedBy completedAt
  domains { domain status attempts records lastError nextAttemptAt completedAt } } }"""
STATUS = """query($id: ID!) { erasureRequest(id: $id) {
  id status completedAt domains { domain status attempts lastError completedAt } } }"""
EXPORT = "query($id: ID!) { exportCustomerData(customerId: $id) }"
LATER = timedelta(hours=1)  # "now" for a retrier pass that finds every step due


@pytest.fixture
async def fleet(database: Database) -> AsyncIterator[Fleet]:
    async for fleet in open_fleet(database):
        yield fleet


def _domains(request: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["domain"]: entry for entry in request["domains"]}


async def _erase(fleet: Fleet, person: Person) -> dict[str, Any]:
    body = await fleet.call("customers", ERASE, id=person.customer_id)
    assert "errors" not in body, body
    request: dict[str, Any] = body["data"]["eraseCustomer"]
    return request


async def _export(fleet: Fleet, person: Person) -> dict[str, Any]:
    body = await fleet.call("customers", EXPORT, id=person.customer_id)
    assert "errors" not in body, body
    document: dict[str, Any] = body["data"]["exportCustomerData"]
    return document


async def test_export_holds_what_every_domain_knows(fleet: Fleet) -> None:
    person = await new_person(fleet)
    document = await _export(fleet, person)
    assert document["customerId"] == person.customer_id
    domains = document["domains"]
    assert set(domains) == {"customers", "orders", "inventory", "marketing"}
    own = domains["customers"]
    assert (own["customer"]["name"], own["customer"]["email"]) == (person.name, person.email)
    assert own["customer"]["phone"] == "+86 138 0000 1234"
    assert own["addresses"][0]["city"] == "Shanghai" and own["erasureRequest"] is None
    body = await fleet.call("customers", EXPORT, id=person.customer_id)
    assert body["extensions"]["audit"]["pii"] == [  # an unmasked read, for the audit log
        {
            "type": "Customer",
            "id": person.customer_id,
            "fields": ["Address.line1", "Address.postalCode", "email", "name", "phone"],
        }
    ]
    orders = domains["orders"]["orders"]
    assert [o["id"] for o in orders] == list(person.order_ids)
    assert [o["totalMinor"] for o in orders] == list(person.order_totals)
    assert [o["idempotencyKey"] for o in orders] == list(person.keys)
    assert all(order["lines"] for order in orders)
    references = {r["reference"] for r in domains["inventory"]["reservations"]}
    assert references == {f"order:{person.customer_id}:{key}" for key in person.keys}
    facts = domains["marketing"]
    assert {f["lastOrderId"] for f in facts["purchaseFacts"]} == set(person.order_ids)
    assert {r["orderId"] for r in facts["recordedOrders"]} == set(person.order_ids)


async def test_export_of_an_unknown_customer_is_not_found(fleet: Fleet) -> None:
    body = await fleet.call("customers", EXPORT, id="999999999")
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert body["data"] is None


async def test_export_fails_whole_when_a_domain_is_down(fleet: Fleet) -> None:
    person = await new_person(fleet, orders=1)
    fleet.take_down("marketing")
    body = await fleet.call("customers", EXPORT, id=person.customer_id)
    error = body["errors"][0]
    assert error["extensions"] == {"code": "SERVICE_UNAVAILABLE", "service": "marketing"}
    assert body["data"] is None


async def test_erasure_empties_every_domain_and_keeps_the_amounts(
    fleet: Fleet, database: Database
) -> None:
    person = await new_person(fleet)
    request = await _erase(fleet, person)
    assert request["customerId"] == person.customer_id
    assert request["status"] == "DONE" and request["completedAt"] is not None
    assert request["requestedBy"] == "user:officer-1"
    steps = _domains(request)
    assert list(steps) == ["customers", "orders", "inventory", "marketing"]
    assert all(s["status"] == "DONE" and s["attempts"] == 1 for s in steps.values())
    assert all(s["lastError"] is None and s["nextAttemptAt"] is None for s in steps.values())
    # customer + address; two orders; two reservations; two facts + two recorded orders
    assert [s["records"] for s in steps.values()] == [2, 2, 2, 4]

    document = await _export(fleet, person)
    domains = document["domains"]
    assert domains["customers"]["customer"] is None and domains["customers"]["addresses"] == []
    assert domains["customers"]["erasureRequest"]["id"] == request["id"]
    assert domains["orders"] == {"orders": []}
    assert domains["inventory"] == {"reservations": []}
    assert domains["marketing"] == {"purchaseFacts": [], "recordedOrders": []}
    serialized = str(document)
    assert person.name not in serialized and person.email not in serialized

    async with database.sessions() as session:
        orders = list(
            await session.scalars(select(Order).where(Order.id.in_(map(int, person.order_ids))))
        )
        events = list(
            await session.scalars(
                select(OrderEvent).where(OrderEvent.aggregate_id.in_(person.order_ids))
            )
        )
    assert sorted(o.total_minor for o in orders) == sorted(person.order_totals)  # accounting
    assert {o.customer_id for o in orders} == {0}
    assert not {o.idempotency_key for o in orders} & set(person.keys)
    assert events and {decode(e.envelope.encode()).data["customerId"] for e in events} == {"0"}
    async with database.sessions() as session:
        staged = list(await session.scalars(select(OrderEvent.envelope)))
        staged += list(await session.scalars(select(InventoryEvent.envelope)))
    old_references = [f"order:{person.customer_id}:{key}" for key in person.keys]
    assert not [e for e in staged for reference in old_references if reference in e]
    assert any(f"order:0:{order.idempotency_key}" in e for e in staged for order in orders)


ENTITIES = """query($representations: [_Any!]!) { _entities(representations: $representations) {
  ... on Customer { __typename } } }"""


async def test_no_domain_resolves_an_erased_customer(fleet: Fleet) -> None:
    person = await new_person(fleet, orders=1)
    representations = [{"__typename": "Customer", "id": person.customer_id}]
    recommend = ENTITIES.replace("__typename", "recommendations { id }")
    before = await fleet.call("marketing", recommend, STAFF, representations=representations)
    assert before["data"]["_entities"][0]["recommendations"]  # from the person's facts
    await _erase(fleet, person)
    customers = await fleet.call(
        "customers",
        ENTITIES.replace("__typename", "id name email"),
        STAFF | {"pii:read"},
        representations=representations,
    )
    assert customers["data"] == {"_entities": [None]}
    orders = await fleet.call(
        "orders",
        ENTITIES.replace("__typename", "orders { totalCount nodes { id } }"),
        STAFF,
        representations=representations,
    )
    assert orders["data"]["_entities"] == [{"orders": {"totalCount": 0, "nodes": []}}]
    marketing = await fleet.call("marketing", recommend, STAFF, representations=representations)
    assert marketing["data"]["_entities"] == [{"recommendations": []}]


async def test_an_erased_order_still_moves_its_stock(fleet: Fleet, database: Database) -> None:
    """Orders and inventory pseudonymise the reservation reference alike."""
    person = await new_person(fleet, orders=1)
    assert (await _erase(fleet, person))["status"] == "DONE"
    cancel = "mutation($id: ID!) { cancelOrder(id: $id) { status customer { id } } }"
    body = await fleet.call("orders", cancel, STAFF, id=person.order_ids[0])
    assert body["data"] == {"cancelOrder": {"status": "CANCELLED", "customer": None}}
    async with database.sessions() as session:
        order = await session.get(Order, int(person.order_ids[0]))
        assert order is not None and order.idempotency_key is not None
        statuses = list(
            await session.scalars(
                select(Reservation.status).where(
                    Reservation.reference == f"order:0:{order.idempotency_key}"
                )
            )
        )
    assert statuses == [ReservationStatus.RELEASED]


async def test_erasing_twice_returns_the_same_request(fleet: Fleet) -> None:
    person = await new_person(fleet, orders=1)
    first = await _erase(fleet, person)
    second = await _erase(fleet, person)
    assert second == first
    concurrent = await new_person(fleet, orders=1)
    bodies = await asyncio.gather(*(_erase(fleet, concurrent) for _ in range(3)))
    assert len({request["id"] for request in bodies}) == 1


async def test_erasing_an_unknown_customer_is_not_found(fleet: Fleet) -> None:
    body = await fleet.call("customers", ERASE, id="999999998")
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def _counts(database: Database) -> list[int]:
    """Rows an erasure deletes or adds, and orders it unlinks."""
    counts = []
    async with database.sessions() as session:
        for model in (Customer, Address, ErasureRequest, PurchaseFact, RecordedOrder):
            counts.append(int(await session.scalar(select(func.count()).select_from(model)) or 0))
        unlinked = select(func.count()).select_from(Order).where(Order.customer_id == 0)
        counts.append(int(await session.scalar(unlinked) or 0))
    return counts


@pytest.mark.parametrize("operation", [ERASE, EXPORT, 'query { erasureRequest(id: "1") { id } }'])
async def test_without_the_gdpr_scope_it_is_forbidden_and_nothing_changes(
    fleet: Fleet, database: Database, operation: str
) -> None:
    person = await new_person(fleet, orders=1)
    before = await _counts(database)
    variables = {"id": person.customer_id} if "$id" in operation else {}
    body = await fleet.call("customers", operation, STAFF | {"pii:read"}, **variables)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert not any((body["data"] or {}).values())  # null, or a null field
    assert await _counts(database) == before
    document = await _export(fleet, person)
    assert document["domains"]["customers"]["customer"]["email"] == person.email
    assert document["domains"]["customers"]["erasureRequest"] is None


@pytest.mark.parametrize("domain", ["orders", "inventory", "marketing"])
async def test_the_internal_fields_of_each_domain_need_the_scope_too(
    fleet: Fleet, domain: str
) -> None:
    field = f"erase{domain.capitalize()}CustomerData"
    erase = f'mutation {{ {field}(customerId: "1", salt: "x") }}'
    export = f'query {{ export{domain.capitalize()}CustomerData(customerId: "1") }}'
    for operation in (erase, export):
        body = await fleet.call(domain, operation, STAFF)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_domain_down_finishes_when_it_is_back(fleet: Fleet, database: Database) -> None:
    person = await new_person(fleet)
    fleet.take_down("orders")
    fleet.crash("inventory")
    request = await _erase(fleet, person)
    steps = _domains(request)
    assert request["status"] == "PENDING" and request["completedAt"] is None
    assert steps["customers"]["status"] == "DONE"
    assert steps["orders"]["status"] == "PENDING" and steps["orders"]["attempts"] == 1
    assert steps["orders"]["lastError"].startswith("SERVICE_UNAVAILABLE")
    assert steps["inventory"]["status"] == "PENDING"
    assert steps["inventory"]["lastError"] == "RuntimeError: the domain's process crashed"
    assert steps["marketing"]["status"] == "DONE"  # the others do not wait for orders
    assert steps["orders"]["nextAttemptAt"] is not None
    # the person is gone from customers already; orders still hold the link until back
    document = await fleet.call("customers", EXPORT, id=person.customer_id)
    assert document["errors"][0]["extensions"]["service"] in {"orders", "inventory"}

    policy = RetryPolicy()
    assert await retry_due_erasures(database, fleet.peers, SECRET, policy) == 0  # not due yet
    later = utcnow() + LATER
    assert await retry_due_erasures(database, fleet.peers, SECRET, policy, now=later) == 0
    status = await fleet.call("customers", STATUS, id=request["id"])
    assert _domains(status["data"]["erasureRequest"])["orders"]["attempts"] == 2

    fleet.mount("orders")
    fleet.mount("inventory")
    later = utcnow() + LATER * 2
    # (other requests left pending in the shared database may complete in the same pass)
    assert await retry_due_erasures(database, fleet.peers, SECRET, policy, now=later) >= 2
    body = await fleet.call("customers", STATUS, id=request["id"])
    final = body["data"]["erasureRequest"]
    assert final["status"] == "DONE" and final["completedAt"] is not None
    steps = _domains(final)
    assert all(s["status"] == "DONE" and s["lastError"] is None for s in steps.values())
    assert [steps[d]["attempts"] for d in ("customers", "orders", "inventory", "marketing")] == [
        1,
        3,
        3,
        1,
    ]
    domains = (await _export(fleet, person))["domains"]
    assert domains["orders"]["orders"] == [] and domains["marketing"]["purchaseFacts"] == []


async def test_the_background_retrier_completes_a_pending_domain(
    fleet: Fleet, database: Database
) -> None:
    person = await new_person(fleet, orders=1)
    fleet.take_down("marketing")
    request = await _erase(fleet, person)
    assert _domains(request)["marketing"]["status"] == "PENDING"
    fleet.mount("marketing")
    policy = RetryPolicy(first_delay=0.01, interval=0.02)
    retrier = asyncio.create_task(retry_erasures_forever(database, fleet.peers, SECRET, policy))
    try:
        for _ in range(300):  # the request's first retry is due a second after it failed
            body = await fleet.call("customers", STATUS, id=request["id"])
            if body["data"]["erasureRequest"]["status"] == "DONE":
                break
            await asyncio.sleep(0.02)
        else:
            pytest.fail("the retrier did not finish the erasure")
    finally:
        retrier.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await retrier


async def test_marketing_keeps_nothing_from_late_events_of_an_erased_customer(
    fleet: Fleet, database: Database
) -> None:
    """An order event still on the bus when the person was erased (marketing was down)."""
    person = await new_person(fleet, orders=1)
    await _erase(fleet, person)
    customer = int(person.customer_id)
    late = PlacedOrder(int(person.order_ids[0]) + 10_000_000, customer, {LISTED[3]: 2})
    async with database.sessions() as session, session.begin():
        assert await session.get(ErasedCustomer, customer) is not None
        assert await apply_order_placed(session, late)
        assert await apply_order_cancelled(session, late)
    async with database.sessions() as session:
        recorded = await session.get(RecordedOrder, late.order_id)
        facts = await session.scalar(
            select(func.count())
            .select_from(PurchaseFact)
            .where(PurchaseFact.customer_id == customer)
        )
    assert recorded is not None and recorded.customer_id == 0
    assert facts == 0


def test_backoff_doubles_up_to_the_cap() -> None:
    policy = RetryPolicy(first_delay=1.0, max_delay=10.0)
    now = utcnow()
    delays = [(policy.next_attempt(now, n) - now).total_seconds() for n in range(1, 7)]
    assert delays == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0]
