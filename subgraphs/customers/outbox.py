"""The customers domain's events, staged in its outbox (``CustomerEvent``) in the transaction
of the change they describe: ``CustomerRegistered`` and ``CustomerUpdated``.

No personal data travels in them: ids, the tier (not personal data), and the *names* of
the fields that changed, never their values. A consumer that needs a value asks the
customers API, where the access model (masking, audit) applies; an erasure never has to
chase copies of a customer's data through streams and consumers.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from events.catalogue import CUSTOMER_REGISTERED, CUSTOMER_UPDATED, event_of
from events.outbox import stage
from models.base import utcnow
from models.customers import Customer, CustomerEvent

__all__ = ["TRACKED_FIELDS", "snapshot", "stage_registered", "stage_updated"]

TRACKED_FIELDS = ("name", "email", "phone", "tier", "tags")

Snapshot = dict[str, Any]


def snapshot(row: Customer) -> Snapshot:
    """The tracked fields' values now, to compare after a change (kept in memory only)."""
    return {field: getattr(row, field) for field in TRACKED_FIELDS}


def stage_registered(session: AsyncSession, row: Customer) -> None:
    data = {
        "customerId": str(row.id),
        "tier": row.tier.value,
        "registeredAt": (row.created_at or utcnow()).isoformat(),
    }
    stage(session, CustomerEvent, event_of(CUSTOMER_REGISTERED, str(row.id), data))


def stage_updated(session: AsyncSession, row: Customer, before: Snapshot, cause: str) -> None:
    """``CustomerUpdated`` naming the fields whose values differ from ``before``; none: no event."""
    changed = [field for field, value in snapshot(row).items() if before[field] != value]
    if not changed:
        return
    data: dict[str, Any] = {
        "customerId": str(row.id),
        "changedFields": changed,
        "cause": cause,
        "updatedAt": utcnow().isoformat(),
    }
    if "tier" in changed:
        data["tier"] = row.tier.value
    stage(session, CustomerEvent, event_of(CUSTOMER_UPDATED, str(row.id), data))
