"""The seeded customers the row-access tests play (A reads, B is the victim, BUYER places
orders) and what the database holds of them, read straight from the tables."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import func, select

from models.customers import Customer
from models.database import Database
from models.inventory import Reservation
from models.orders import Order, OrderEvent, OrderLine
from models.seed import generate
from tests.conftest import TEST_SCALE

__all__ = [
    "A_ORDER",
    "A_SEEDED_ORDERS",
    "BUYER",
    "B_ORDER",
    "LISTED",
    "A",
    "B",
    "orders_of",
    "state",
]

_SEEDED = [generate.order(TEST_SCALE, id_) for id_ in range(1, TEST_SCALE.orders + 1)]
_BY_CUSTOMER: dict[int, list[Any]] = defaultdict(list)
for _order in _SEEDED:
    _BY_CUSTOMER[_order.customer_id].append(_order)
# test_orders places its orders for the last customer (BUYER): A and B are left to us.
_OWNERS = sorted(c for c, o in _BY_CUSTOMER.items() if len(o) >= 3 and c != TEST_SCALE.customers)
A = _OWNERS[0]
B = next(c for c in _OWNERS[1:] if any(o.status in ("PENDING", "PAID") for o in _BY_CUSTOMER[c]))
A_SEEDED_ORDERS = [order.id for order in _BY_CUSTOMER[A]]
A_ORDER = A_SEEDED_ORDERS[0]
B_ORDER = next(o.id for o in _BY_CUSTOMER[B] if o.status in ("PENDING", "PAID"))
BUYER = TEST_SCALE.customers
LISTED = next(p.id for p in generate.products(TEST_SCALE) if p.status == "LISTED")


async def orders_of(database: Database, customer_id: int) -> set[str]:
    async with database.sessions() as session:
        ids = await session.scalars(select(Order.id).where(Order.customer_id == customer_id))
        return {str(id_) for id_ in ids}


async def state(database: Database) -> tuple[Any, ...]:
    """Everything the order and customer mutations may change."""
    async with database.sessions() as session:
        counts = [
            await session.scalar(select(func.count()).select_from(model))
            for model in (Order, OrderLine, OrderEvent, Reservation)
        ]
        statuses = (await session.execute(select(Order.id, Order.status, Order.updated_at))).all()
        customers = (await session.execute(select(Customer.id, Customer.name))).all()
    return (*counts, sorted(statuses), sorted(customers))
