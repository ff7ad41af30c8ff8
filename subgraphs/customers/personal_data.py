"""``exportCustomerData``: one JSON document with everything every domain holds about a
customer (a subject access request, GDPR art. 15 / PIPL art. 45).

The customers domain contributes the customer, their addresses and any erasure request;
every other domain its own part, through its internal export field. The document is whole
or not at all: a domain that cannot answer makes the export fail SERVICE_UNAVAILABLE
naming it (a partial export would pass for a complete one). Values are unmasked: the
export is for handing to the person, by a caller holding ``gdpr:manage``, so the read is
reported to the audit log as an unmasked read of the customer's personal fields
(:func:`report_export`).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlalchemy import select

from models.base import utcnow
from models.customers import Address, Customer, ErasureRequest
from models.database import Database
from subgraphs.common.audit_report import AuditReport
from subgraphs.common.errors import DomainError, NotFound, ServiceUnavailable
from subgraphs.common.ids import format_id
from subgraphs.common.peers import Peers
from subgraphs.customers.peer_calls import PEER_DOMAINS, export_from

__all__ = ["export_customer_data", "report_export"]

logger = logging.getLogger("subgraphs.customers.personal_data")


def _customer(row: Customer) -> dict[str, Any]:
    return {
        "id": format_id(row.id),
        "name": row.name,
        "email": row.email,
        "phone": row.phone,
        "tier": row.tier.value,
        "tags": list(row.tags),
        "createdAt": row.created_at.isoformat(),
    }


def _address(row: Address) -> dict[str, Any]:
    return {
        "kind": row.kind.value,
        "line1": row.line1,
        "city": row.city,
        "postalCode": row.postal_code,
        "country": row.country,
    }


def _erasure(row: ErasureRequest) -> dict[str, Any]:
    return {
        "id": format_id(row.id),
        "requestedAt": row.requested_at.isoformat(),
        "completedAt": None if row.completed_at is None else row.completed_at.isoformat(),
    }


async def _own_data(database: Database, customer_id: int) -> dict[str, Any]:
    async with database.sessions() as session:
        customer = await session.get(Customer, customer_id)
        addresses = await session.scalars(
            select(Address).where(Address.customer_id == customer_id).order_by(Address.id)
        )
        erasure = await session.scalar(
            select(ErasureRequest).where(ErasureRequest.customer_id == customer_id)
        )
        if customer is None and erasure is None:
            raise NotFound(f"No customer with id {customer_id}", id=str(customer_id))
        return {
            "customer": None if customer is None else _customer(customer),
            "addresses": [_address(row) for row in addresses],
            "erasureRequest": None if erasure is None else _erasure(erasure),
        }


async def _peer_export(peers: Peers, domain: str, customer_id: int) -> dict[str, Any]:
    try:
        return await export_from(peers, domain, customer_id)
    except Exception as error:
        if not isinstance(error, DomainError):
            logger.warning("export from %s failed unexpectedly", domain, exc_info=error)
        raise ServiceUnavailable(
            f"The export needs every domain and the {domain} service could not answer",
            service=domain,
        ) from error


async def export_customer_data(
    database: Database, peers: Peers, customer_id: int
) -> dict[str, Any]:
    """The document; NOT_FOUND for a customer that never existed (an erased one exports
    what is left, which shows the erasure)."""
    own = await _own_data(database, customer_id)
    parts = await asyncio.gather(
        *(_peer_export(peers, domain, customer_id) for domain in PEER_DOMAINS),
        return_exceptions=True,
    )
    for part in parts:
        if isinstance(part, BaseException):
            raise part
    domains: dict[str, Any] = {"customers": own, **dict(zip(PEER_DOMAINS, parts, strict=True))}
    return {
        "customerId": format_id(customer_id),
        "exportedAt": utcnow().isoformat(),
        "domains": domains,
    }


def report_export(report: AuditReport, document: dict[str, Any]) -> None:
    """Record in the request's audit report the personal fields the document holds
    unmasked, as :mod:`subgraphs.common.pii` reports a tagged field read with ``pii:read``."""
    own = document["domains"]["customers"]
    customer_id = document["customerId"]
    if own["customer"] is not None:
        for field in ("name", "email", "phone"):
            report.read_pii("Customer", customer_id, field)
    if own["addresses"]:
        for field in ("Address.line1", "Address.postalCode"):
            report.read_pii("Customer", customer_id, field)
