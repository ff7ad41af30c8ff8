"""Seed the customers domain."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from models.customers import Address, Customer
from models.database import Database
from models.seed import generate
from models.seed.bulk import insert_rows, sync_sequence

__all__ = ["seed"]


def _customer_rows(scale: generate.Scale) -> Iterator[dict[str, Any]]:
    for row in generate.customers(scale):
        yield {
            "id": row.id,
            "name": row.name,
            "email": row.email,
            "phone": row.phone,
            "tier": row.tier,
            "tags": list(row.tags),
            "created_at": row.created_at,
        }


def _address_rows(scale: generate.Scale) -> Iterator[dict[str, Any]]:
    for row in generate.customers(scale):
        for address in row.addresses:
            yield {
                "customer_id": row.id,
                "kind": address.kind,
                "line1": address.line1,
                "city": address.city,
                "postal_code": address.postal_code,
                "country": address.country,
            }


async def seed(database: Database, scale: generate.Scale, *, show_progress: bool = True) -> None:
    await insert_rows(
        database,
        Customer,
        _customer_rows(scale),
        total=scale.customers,
        show_progress=show_progress,
    )
    await insert_rows(database, Address, _address_rows(scale), show_progress=show_progress)
    await sync_sequence(database, Customer)
    await sync_sequence(database, Address)
