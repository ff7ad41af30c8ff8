"""Every domain mounted in-process over the session's database, with identity verification
on (a shared secret, as in production), for the GDPR tests: callers with chosen scopes, a
domain taken down or made to crash, and a person with data in every domain."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from starlette.types import Receive, Scope, Send

from models.database import Database
from models.marketing import PurchaseFact, RecordedOrder
from models.seed import generate
from router.security.identity import Identity, IdentityKind, IdentitySigner
from subgraphs.common.app import create_subgraph_app
from subgraphs.common.identity import IDENTITY_HEADER, IdentityVerifier
from subgraphs.common.peers import Peers
from subgraphs.mount import MountedTransport
from subgraphs.registry import DOMAINS
from tests.conftest import TEST_SCALE

__all__ = ["GDPR", "SECRET", "Fleet", "Person", "open_fleet"]

SECRET = "gdpr-tests-shared-identity-secret-0123456789"
GDPR = frozenset({"gdpr:manage"})
STAFF = frozenset({"staff"})
LISTED = [p.id for p in generate.products(TEST_SCALE) if p.status == "LISTED"]


def url(domain: str) -> str:
    return f"http://{domain}.gdpr.test/graphql"


async def crashing_app(scope: Scope, receive: Receive, send: Send) -> None:
    raise RuntimeError("the domain's process crashed")


@dataclass
class Fleet:
    database: Database
    transport: MountedTransport
    client: httpx.AsyncClient
    peers: Peers
    signer: IdentitySigner = field(default_factory=lambda: IdentitySigner(SECRET))

    def mount(self, domain: str) -> None:
        verifier = IdentityVerifier(SECRET, production=True)
        app = create_subgraph_app(
            domain,
            DOMAINS[domain].schema,
            self.database,
            DOMAINS[domain].metadata,
            self.peers,
            create_tables=False,
            identity=verifier,
        )
        self.transport.mount(url(domain), app)

    def take_down(self, domain: str) -> None:
        self.transport.unmount(url(domain))

    def crash(self, domain: str) -> None:
        self.transport.mount(url(domain), crashing_app)

    async def call(
        self, domain: str, query: str, scopes: frozenset[str] = GDPR, **variables: Any
    ) -> dict[str, Any]:
        """``query`` on ``domain`` as a staff user holding ``scopes``."""
        identity = Identity(IdentityKind.USER, "officer-1", "back-office", scopes)
        response = await self.client.post(
            url(domain),
            json={"query": query, "variables": variables},
            headers={IDENTITY_HEADER: self.signer.sign(identity)},
        )
        assert response.status_code in (200, 400), response.text
        body: dict[str, Any] = response.json()
        return body


async def open_fleet(database: Database) -> AsyncIterator[Fleet]:
    transport = MountedTransport()
    async with httpx.AsyncClient(transport=transport) as client:
        peers = Peers(urls={name: url(name) for name in DOMAINS}, client=client)
        fleet = Fleet(database, transport, client, peers)
        for name in DOMAINS:
            fleet.mount(name)
        yield fleet


@dataclass(frozen=True)
class Person:
    customer_id: str
    name: str
    email: str
    order_ids: tuple[str, ...]
    order_totals: tuple[int, ...]
    keys: tuple[str, ...]


CREATE = """mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }"""
PLACE = """mutation($input: PlaceOrderInput!) {
  placeOrder(input: $input) { id total { minorUnits } } }"""


async def new_person(fleet: Fleet, orders: int = 2) -> Person:
    """A customer no other test knows, with addresses, orders (so stock reservations) and
    marketing facts (written as marketing's inbox would record them)."""
    tag = uuid.uuid4().hex[:10]
    name, email = f"Erasable Person {tag}", f"erasable.{tag}@example.com"
    body = await fleet.call(
        "customers",
        CREATE,
        STAFF,
        input={
            "name": name,
            "email": email,
            "phone": "+86 138 0000 1234",
            "addresses": [
                {
                    "kind": "SHIPPING",
                    "line1": f"{tag} Nanjing Road",
                    "city": "Shanghai",
                    "postalCode": "200001",
                    "country": "CN",
                }
            ],
        },
    )
    customer_id = body["data"]["createCustomer"]["id"]
    ids, totals, keys = [], [], []
    for index in range(orders):
        key = f"gdpr-{tag}-{index}"
        placed = await fleet.call(
            "orders",
            PLACE,
            STAFF,
            input={
                "customerId": customer_id,
                "idempotencyKey": key,
                "lines": [{"productId": str(LISTED[index]), "quantity": 1}],
            },
        )
        order = placed["data"]["placeOrder"]
        ids.append(order["id"])
        totals.append(order["total"]["minorUnits"])
        keys.append(key)
    async with fleet.database.sessions() as session, session.begin():
        for order_id, index in zip(ids, range(orders), strict=True):
            session.add(RecordedOrder(order_id=int(order_id), customer_id=int(customer_id)))
            session.add(
                PurchaseFact(
                    customer_id=int(customer_id),
                    product_id=LISTED[index],
                    quantity=1,
                    last_order_id=int(order_id),
                )
            )
    return Person(customer_id, name, email, tuple(ids), tuple(totals), tuple(keys))
