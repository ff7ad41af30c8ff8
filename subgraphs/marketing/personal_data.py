"""A customer's data in the marketing domain: purchase facts and the orders recorded for
them.

On erasure the facts are unlinked from the person: their purchase facts are deleted (the
co-purchase graph, an aggregate over everyone, keeps what they contributed), their recorded
orders stay (so each order is still counted once) under
:data:`~subgraphs.common.erasure.ERASED_CUSTOMER_ID`, and the customer id enters
``erased_customers``: an order event about them still on the bus (marketing may have been
down) is recorded without facts (``subgraphs.marketing.recording``). One transaction; a
second run finds nothing more to do.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.database import Database
from models.marketing import ErasedCustomer, PurchaseFact, RecordedOrder
from subgraphs.common.erasure import ERASED_CUSTOMER_ID
from subgraphs.common.ids import format_id

__all__ = ["erase_customer_data", "export_customer_data", "is_erased"]


async def export_customer_data(database: Database, customer_id: int) -> dict[str, Any]:
    async with database.sessions() as session:
        facts = await session.scalars(
            select(PurchaseFact)
            .where(PurchaseFact.customer_id == customer_id)
            .order_by(PurchaseFact.product_id)
        )
        purchases = [
            {
                "productId": format_id(fact.product_id),
                "quantity": fact.quantity,
                "lastOrderId": format_id(fact.last_order_id),
            }
            for fact in facts
        ]
        recorded = await session.scalars(
            select(RecordedOrder)
            .where(RecordedOrder.customer_id == customer_id)
            .order_by(RecordedOrder.order_id)
        )
        orders = [
            {"orderId": format_id(row.order_id), "recordedAt": row.recorded_at.isoformat()}
            for row in recorded
        ]
    return {"purchaseFacts": purchases, "recordedOrders": orders}


async def erase_customer_data(database: Database, customer_id: int) -> int:
    """Unlink the customer's facts; returns how many rows changed."""
    async with database.sessions() as session, session.begin():
        facts = await session.execute(
            delete(PurchaseFact).where(PurchaseFact.customer_id == customer_id)
        )
        recorded = await session.execute(
            update(RecordedOrder)
            .where(RecordedOrder.customer_id == customer_id)
            .values(customer_id=ERASED_CUSTOMER_ID)
        )
        if not await is_erased(session, customer_id):
            session.add(ErasedCustomer(customer_id=customer_id))
    return int(facts.rowcount or 0) + int(recorded.rowcount or 0)  # type: ignore[attr-defined]


async def is_erased(session: AsyncSession, customer_id: int) -> bool:
    """Whether marketing must keep nothing about ``customer_id`` (erased, or the erased id)."""
    if customer_id == ERASED_CUSTOMER_ID:
        return True
    return await session.get(ErasedCustomer, customer_id) is not None
