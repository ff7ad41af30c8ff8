"""Batch functions of the customers domain: one SQL statement per batch of keys."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select

from models.customers import Address, Customer
from models.database import Database

__all__ = ["addresses_by_customer", "customers_by_id"]


async def customers_by_id(database: Database, ids: Sequence[int]) -> list[Customer | None]:
    async with database.sessions() as session:
        rows = await session.scalars(select(Customer).where(Customer.id.in_(set(ids))))
        by_id = {row.id: row for row in rows}
    return [by_id.get(id_) for id_ in ids]


async def addresses_by_customer(database: Database, ids: Sequence[int]) -> list[list[Address]]:
    async with database.sessions() as session:
        rows = await session.scalars(
            select(Address).where(Address.customer_id.in_(set(ids))).order_by(Address.id)
        )
        grouped: dict[int, list[Address]] = defaultdict(list)
        for row in rows:
            grouped[row.customer_id].append(row)
    return [grouped.get(id_, []) for id_ in ids]
