"""What every domain shares about a person's data rights (GDPR / PIPL): the scope that
exports and erases, the customer id erased records point to, and pseudonyms.

The customers domain coordinates an erasure (:mod:`subgraphs.customers.erasure`); each other
domain erases its own tables through internal (``@inaccessible``) root fields, so no domain
touches another's store. Records that must outlive the person (orders, for accounting) are
pseudonymised: their customer becomes :data:`ERASED_CUSTOMER_ID`, which no query accepts as
an id, and client-chosen strings tied to the person become :func:`pseudonym` values derived
from a random salt of the erasure request, the same in every domain.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from events.envelope import decode, encode
from models.database import Database
from subgraphs.common.context import context_of
from subgraphs.common.errors import BadUserInput, Forbidden
from subgraphs.common.identity import current_identity
from subgraphs.common.ids import parse_id

__all__ = [
    "ERASED_CUSTOMER_ID",
    "GDPR_SCOPE",
    "MAX_SALT_LENGTH",
    "Eraser",
    "Exporter",
    "erase_field",
    "export_field",
    "pseudonym",
    "require_gdpr_scope",
    "rewritten_event",
]

Exporter = Callable[[Database, int], Awaitable[dict[str, Any]]]
Eraser = Callable[[Database, int, str], Awaitable[int]]

GDPR_SCOPE = "gdpr:manage"
# Ids start at 1 and ``parse_id`` refuses 0: an erased record cannot be looked up by it.
ERASED_CUSTOMER_ID = 0
MAX_SALT_LENGTH = 64


def require_gdpr_scope() -> None:
    """FORBIDDEN unless the caller holds ``gdpr:manage`` (checked before any SQL)."""
    if not current_identity().has_scope(GDPR_SCOPE):
        raise Forbidden(f"Exporting or erasing personal data needs the {GDPR_SCOPE} scope")


def pseudonym(salt: str, value: str) -> str:
    """A stand-in for ``value`` that is stable for one erasure request (so two domains
    pseudonymise the same string alike) and tells nothing about ``value`` without ``salt``."""
    digest = hashlib.sha256(f"{salt}\x00{value}".encode()).hexdigest()
    return f"erased:{digest[:32]}"


def rewritten_event(raw: str, data: Mapping[str, Any], subject: str | None = None) -> str:
    """An outbox row's CloudEvents JSON with the ``data`` entries it has replaced (and its
    subject, when given): how a domain takes a person out of its staged and past events."""
    envelope = decode(raw.encode())
    changes = {key: value for key, value in data.items() if key in envelope.data}
    if not changes and subject is None:
        return raw
    replaced = dataclasses.replace(
        envelope, data={**envelope.data, **changes}, subject=subject or envelope.subject
    )
    return encode(replaced).decode()


def export_field(domain: str, export: Exporter) -> Any:
    """``Query.export<Domain>CustomerData(customerId)``: internal (``@inaccessible``), called
    by the customers domain for ``exportCustomerData``."""

    async def resolve(info: Info[Any, Any], customer_id: strawberry.ID) -> JSON:
        require_gdpr_scope()
        database = context_of(info).database
        return JSON(await export(database, parse_id(customer_id, "customerId")))

    return strawberry.federation.field(
        resolver=resolve,
        name=f"export{domain.capitalize()}CustomerData",
        inaccessible=True,
        description=f"Internal: everything the {domain} domain holds about a customer.",
    )


def erase_field(domain: str, erase: Eraser) -> Any:
    """``Mutation.erase<Domain>CustomerData(customerId, salt)``: internal, called by the
    customers domain for ``eraseCustomer``; idempotent, one transaction; returns how many
    records changed."""

    async def resolve(info: Info[Any, Any], customer_id: strawberry.ID, salt: str) -> int:
        require_gdpr_scope()
        customer = parse_id(customer_id, "customerId")
        if not 0 < len(salt) <= MAX_SALT_LENGTH:
            raise BadUserInput("`salt` must be 1 to 64 characters", field="salt")
        return await erase(context_of(info).database, customer, salt)

    return strawberry.federation.mutation(
        resolver=resolve,
        name=f"erase{domain.capitalize()}CustomerData",
        inaccessible=True,
        description=f"Internal: erase or pseudonymise what the {domain} domain holds about a "
        "customer; `salt` is the erasure request's, for pseudonyms.",
    )
