"""Customers' consumer of ``integration.crm.contact-updated``: the CRM changed a customer's
contact fields. The message passed its schema (``events.consumer``); here each value goes
through the same validation as the API, and a change that cannot apply (no such customer,
an invalid value, an email another customer uses) is rejected: dead-lettered with the
reason. Applied changes stage ``CustomerUpdated`` (cause CRM, field names only).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from events.bus import ConsumerSpec, EventBus
from events.consumer import Handler, consume_forever
from events.envelope import Envelope
from events.errors import Rejected
from events.inbox import idempotent
from models.customers import Customer, CustomerInbox, CustomerTier
from models.database import Database
from subgraphs.common.errors import BadUserInput
from subgraphs.customers import validation
from subgraphs.customers.outbox import snapshot, stage_updated

__all__ = ["CONSUMER", "apply_contact_update", "consume_contact_updates", "contact_update_handler"]

CONSUMER = ConsumerSpec(
    stream="integration", name="customers", filter_subject="integration.crm.contact-updated"
)


async def _apply_changes(session: AsyncSession, row: Customer, changes: Mapping[str, Any]) -> None:
    if "name" in changes:
        row.name = validation.clean_name(changes["name"])
    if "email" in changes:
        email = validation.clean_email(changes["email"])
        holder = await session.scalar(select(Customer.id).where(Customer.email == email))
        if holder is not None and holder != row.id:
            raise Rejected(f"customer {row.id}: the email is used by another customer")
        row.email = email
    if "phone" in changes:
        row.phone = validation.clean_phone(changes["phone"])
    if "tier" in changes:
        row.tier = CustomerTier(changes["tier"])


async def apply_contact_update(session: AsyncSession, envelope: Envelope) -> None:
    customer_id = int(envelope.data["customerId"])
    row = await session.get(Customer, customer_id, with_for_update=True)
    if row is None:
        raise Rejected(f"no customer with id {customer_id}")
    before = snapshot(row)
    try:
        await _apply_changes(session, row, envelope.data["changes"])
    except BadUserInput as error:
        raise Rejected(f"customer {customer_id}: {error}") from error
    await session.flush()
    stage_updated(session, row, before, "CRM")


def contact_update_handler(database: Database) -> Handler:
    return idempotent(database, CustomerInbox, CONSUMER.name, apply_contact_update)


async def consume_contact_updates(database: Database, bus: EventBus) -> None:
    await consume_forever(bus, CONSUMER, contact_update_handler(database))
