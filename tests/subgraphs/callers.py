"""Callers for subgraph tests: identities signed as the router signs them, and every subgraph
mounted in-process behind the production identity check (so an unsigned request is 401 and
every row rule applies; without a secret every caller would be the unrestricted
development caller)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from models.database import Database
from router.security.identity import Identity, IdentityKind, IdentitySigner
from subgraphs.common.app import create_subgraph_app
from subgraphs.common.identity import IDENTITY_HEADER, IdentityVerifier
from subgraphs.common.peers import Peers
from subgraphs.mount import MountedTransport
from subgraphs.registry import DOMAINS, local_url
from tests.router.security.support import IDENTITY_SECRET

__all__ = [
    "ANONYMOUS",
    "STAFF",
    "SignedSubgraphs",
    "codes",
    "customer",
    "identity_header",
    "partner",
    "signed_subgraphs",
]

_SIGNER = IdentitySigner(IDENTITY_SECRET)
ANONYMOUS = Identity(IdentityKind.ANONYMOUS)
STAFF = Identity(IdentityKind.USER, "staff-1", "back-office", frozenset({"staff"}))


def customer(customer_id: int) -> Identity:
    """A customer's JWT as the router verified it: subject = the customer id."""
    return Identity(IdentityKind.USER, str(customer_id), "web", frozenset({"customer"}))


def partner(*scopes: str) -> Identity:
    return Identity(IdentityKind.PARTNER, "apikey:0123abcd", "acme", frozenset(scopes))


def identity_header(identity: Identity) -> dict[str, str]:
    """The ``X-Router-Identity`` header the router would send for ``identity``."""
    return {IDENTITY_HEADER: _SIGNER.sign(identity)}


def codes(body: dict[str, Any]) -> list[tuple[str, tuple[Any, ...]]]:
    """Each error of a response as (``extensions.code``, path)."""
    return [(e["extensions"]["code"], tuple(e.get("path") or ())) for e in body.get("errors", [])]


class SignedSubgraphs:
    """Posts to one subgraph as a given caller."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def __call__(
        self, subgraph: str, caller: Identity, query: str, **variables: Any
    ) -> dict[str, Any]:
        response = await self.client.post(
            local_url(subgraph),
            json={"query": query, "variables": variables},
            headers=identity_header(caller),
        )
        assert response.status_code in (200, 400), response.text
        body: dict[str, Any] = response.json()
        return body


@asynccontextmanager
async def signed_subgraphs(
    database: Database,
) -> AsyncIterator[tuple[SignedSubgraphs, MountedTransport]]:
    """Every subgraph at its ``local_url``, checking identities with the tests' secret in
    production mode; the transport also serves a router put in front of them."""
    transport = MountedTransport()
    verifier = IdentityVerifier(IDENTITY_SECRET, production=True)
    async with httpx.AsyncClient(transport=transport) as client:
        peers = Peers(urls={name: local_url(name) for name in DOMAINS}, client=client)
        for name, domain in DOMAINS.items():
            app = create_subgraph_app(
                name,
                domain.schema,
                database,
                domain.metadata,
                peers,
                create_tables=False,
                identity=verifier,
            )
            transport.mount(local_url(name), app)
        yield SignedSubgraphs(client), transport
