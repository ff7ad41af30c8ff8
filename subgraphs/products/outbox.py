"""The products domain's events, staged in its outbox (``ProductEvent``) in the transaction
of the change they describe: ``ProductCreated``, ``ProductListed``, ``ProductDelisted`` and
``PriceChanged`` (each about the product: the event subject is its id)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from events.catalogue import (
    PRICE_CHANGED,
    PRODUCT_CREATED,
    PRODUCT_DELISTED,
    PRODUCT_LISTED,
    event_of,
)
from events.outbox import stage
from models.base import utcnow
from models.products import Product, ProductEvent, ProductStatus

__all__ = ["stage_created", "stage_price_changed", "stage_status_changed"]


def _money(price_minor: int, currency: str) -> dict[str, int | str]:
    return {"priceMinor": price_minor, "currency": currency}


def stage_created(session: AsyncSession, row: Product) -> None:
    data = {
        "productId": str(row.id),
        "sku": row.sku,
        "category": row.category,
        "price": _money(row.price_minor, row.currency),
        "createdAt": row.created_at.isoformat(),
    }
    stage(session, ProductEvent, event_of(PRODUCT_CREATED, str(row.id), data))


def stage_price_changed(
    session: AsyncSession, row: Product, previous_minor: int, previous_currency: str
) -> None:
    if (previous_minor, previous_currency) == (row.price_minor, row.currency):
        return  # nothing changed: no event
    data = {
        "productId": str(row.id),
        "previous": _money(previous_minor, previous_currency),
        "current": _money(row.price_minor, row.currency),
        "changedAt": utcnow().isoformat(),
    }
    stage(session, ProductEvent, event_of(PRICE_CHANGED, str(row.id), data))


def stage_status_changed(
    session: AsyncSession,
    product_id: int,
    previous: ProductStatus,
    target: ProductStatus,
    at: datetime,
) -> None:
    """``ProductListed`` or ``ProductDelisted`` (the only transitions there are)."""
    if target is ProductStatus.LISTED:
        data = {
            "productId": str(product_id),
            "previousStatus": previous.value,
            "listedAt": at.isoformat(),
        }
        stage(session, ProductEvent, event_of(PRODUCT_LISTED, str(product_id), data))
    else:
        data = {"productId": str(product_id), "delistedAt": at.isoformat()}
        stage(session, ProductEvent, event_of(PRODUCT_DELISTED, str(product_id), data))
