"""Batch functions of the customers domain: one SQL statement per batch of keys."""

from __future__ import annotations

from collections.abc import Sequence

from models.customers import Address, Customer
from models.database import Database
from subgraphs.common.batch import all_per_key, one_per_key

__all__ = ["addresses_by_customer", "customers_by_id"]


async def customers_by_id(database: Database, ids: Sequence[int]) -> list[Customer | None]:
    return await one_per_key(database, Customer, Customer.id, ids)


async def addresses_by_customer(database: Database, ids: Sequence[int]) -> list[list[Address]]:
    return await all_per_key(database, Address, Address.customer_id, ids, Address.id)
