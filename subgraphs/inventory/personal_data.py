"""A customer's data in the inventory domain: the stock reservations of their orders, whose
references name the customer (``order:<customer id>:<idempotency key>``).

On erasure each reference is rewritten to the one orders will use for the pseudonymised
order (same salt, same pseudonym of the key), so the reservation still follows its order;
quantities and statuses are kept; so is every staged or past event about the reservation
(its subject and ``reference``). One transaction; a second run finds nothing to do.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from models.database import Database
from models.inventory import InventoryEvent, Reservation
from subgraphs.common.erasure import ERASED_CUSTOMER_ID, pseudonym, rewritten_event
from subgraphs.common.ids import format_id
from subgraphs.common.like import ESCAPE, escape_like
from subgraphs.common.reservation_references import (
    customer_prefix,
    idempotency_key_of,
    reservation_reference,
)

__all__ = ["erase_customer_data", "export_customer_data"]


def _of_customer(customer_id: int) -> Any:
    pattern = escape_like(customer_prefix(customer_id)) + "%"
    return select(Reservation).where(Reservation.reference.like(pattern, escape=ESCAPE))


def _reservation(row: Reservation) -> dict[str, Any]:
    return {
        "reference": row.reference,
        "productId": format_id(row.product_id),
        "warehouseId": format_id(row.warehouse_id),
        "quantity": row.quantity,
        "status": row.status.value,
        "createdAt": row.created_at.isoformat(),
    }


async def export_customer_data(database: Database, customer_id: int) -> dict[str, Any]:
    async with database.sessions() as session:
        rows = await session.scalars(_of_customer(customer_id).order_by(Reservation.id))
        return {"reservations": [_reservation(row) for row in rows]}


async def erase_customer_data(database: Database, customer_id: int, salt: str) -> int:
    """Rewrite the references of the customer's reservations; returns how many changed."""
    async with database.sessions() as session, session.begin():
        rows = list(await session.scalars(_of_customer(customer_id).with_for_update()))
        renamed: dict[str, str] = {}
        for row in rows:
            key = idempotency_key_of(row.reference, customer_id)
            if key is not None:  # always, given the LIKE; the check keeps mypy and readers sure
                new = reservation_reference(ERASED_CUSTOMER_ID, pseudonym(salt, key))
                renamed[row.reference] = row.reference = new
        events = await session.scalars(
            select(InventoryEvent).where(InventoryEvent.aggregate_id.in_(renamed))
        )
        for event in events:
            reference = renamed[event.aggregate_id]
            event.aggregate_id = reference
            event.envelope = rewritten_event(event.envelope, {"reference": reference}, reference)
    return len(rows)
