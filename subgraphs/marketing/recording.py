"""Recording an order fact: purchase facts and the co-purchase graph, updated incrementally.

Affinity counts customers' baskets: when a customer buys a product for the first time, each
pair (new product, any product in the customer's basket) gains one, in both directions.
Products the customer had already bought add quantity only. The order is entered in
``recorded_orders`` in the same transaction, so it is counted once.

A cancellation takes the order's quantities back: a fact that falls to zero is removed and
its pairs with the rest of the basket lose one (a pair at zero is removed). A cancellation
that arrives before its order is recorded marks the order, so the order is never counted.

Nothing is kept about a customer whose data was erased (``subgraphs.marketing.personal_data``):
their orders are recorded under the erased id, without facts.

The seeder stores only the top related products per product, so a pair that was cut there
starts again from one here; rankings read the top ``first`` and stay meaningful.
"""

from __future__ import annotations

from itertools import permutations

from sqlalchemy import delete, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from models.database import Database
from models.marketing import ProductAffinity, PurchaseFact, RecordedOrder
from subgraphs.common.erasure import ERASED_CUSTOMER_ID
from subgraphs.common.errors import Conflict
from subgraphs.marketing.personal_data import is_erased
from subgraphs.marketing.validation import PlacedOrder

__all__ = [
    "apply_order_cancelled",
    "apply_order_placed",
    "co_purchase_pairs",
    "record_order_placed",
]

_ATTEMPTS = 5


def co_purchase_pairs(basket: set[int], new_products: set[int]) -> set[tuple[int, int]]:
    """Ordered pairs whose affinity grows when ``new_products`` join ``basket``."""
    return {
        pair
        for pair in permutations(basket | new_products, 2)
        if pair[0] in new_products or pair[1] in new_products
    }


async def record_order_placed(database: Database, order: PlacedOrder) -> bool:
    """Record ``order`` once; ``False`` when it had been recorded already.

    A concurrent delivery of the same order, or a concurrent first purchase creating the
    same fact or affinity row, makes the transaction fail on a primary key; it then runs
    again against what the other one committed.
    """
    for _attempt in range(_ATTEMPTS):
        try:
            return await _record(database, order)
        except IntegrityError:
            continue
    raise Conflict(
        f"Order {order.order_id} could not be recorded, try again", orderId=str(order.order_id)
    )


async def _record(database: Database, order: PlacedOrder) -> bool:
    async with database.sessions() as session, session.begin():
        return await apply_order_placed(session, order)


async def apply_order_placed(session: AsyncSession, order: PlacedOrder) -> bool:
    """Count ``order`` in ``session``'s transaction; ``False`` when already recorded."""
    if await session.get(RecordedOrder, order.order_id) is not None:
        return False
    if await is_erased(session, order.customer_id):  # counted once, about no one
        session.add(RecordedOrder(order_id=order.order_id, customer_id=ERASED_CUSTOMER_ID))
        return True
    session.add(RecordedOrder(order_id=order.order_id, customer_id=order.customer_id))
    new_products = await _add_purchases(session, order)
    basket = set(order.quantities) | await _basket(session, order.customer_id)
    await _strengthen(session, co_purchase_pairs(basket - new_products, new_products))
    return True


async def apply_order_cancelled(session: AsyncSession, order: PlacedOrder) -> bool:
    """Take a cancelled order back; ``False`` when it had not been counted (it never will)."""
    erased = await is_erased(session, order.customer_id)
    if await session.get(RecordedOrder, order.order_id) is None:
        customer_id = ERASED_CUSTOMER_ID if erased else order.customer_id
        session.add(RecordedOrder(order_id=order.order_id, customer_id=customer_id))
        return False
    if erased:  # the person's facts went with their erasure
        return True
    gone = await _remove_purchases(session, order)
    basket = await _basket(session, order.customer_id)
    await _weaken(session, co_purchase_pairs(basket, gone))
    return True


async def _basket(session: AsyncSession, customer_id: int) -> set[int]:
    rows = await session.scalars(
        select(PurchaseFact.product_id).where(PurchaseFact.customer_id == customer_id)
    )
    return set(rows)


async def _add_purchases(session: AsyncSession, order: PlacedOrder) -> set[int]:
    """Add the order's quantities to the customer's facts; returns first-time products."""
    known = {
        fact.product_id: fact
        for fact in await session.scalars(
            select(PurchaseFact).where(
                PurchaseFact.customer_id == order.customer_id,
                PurchaseFact.product_id.in_(order.quantities),
            )
        )
    }
    for product_id, quantity in order.quantities.items():
        fact = known.get(product_id)
        if fact is None:
            session.add(
                PurchaseFact(
                    customer_id=order.customer_id,
                    product_id=product_id,
                    quantity=quantity,
                    last_order_id=order.order_id,
                )
            )
        else:
            fact.quantity += quantity
            fact.last_order_id = max(fact.last_order_id, order.order_id)
    await session.flush()
    return set(order.quantities) - set(known)


async def _remove_purchases(session: AsyncSession, order: PlacedOrder) -> set[int]:
    """Subtract the order's quantities; returns the products no longer bought at all."""
    gone = set()
    for fact in await session.scalars(
        select(PurchaseFact).where(
            PurchaseFact.customer_id == order.customer_id,
            PurchaseFact.product_id.in_(order.quantities),
        )
    ):
        fact.quantity -= order.quantities[fact.product_id]
        if fact.quantity <= 0:
            gone.add(fact.product_id)
            await session.delete(fact)
    await session.flush()
    return gone


async def _weaken(session: AsyncSession, pairs: set[tuple[int, int]]) -> None:
    if not pairs:
        return
    key = tuple_(ProductAffinity.product_id, ProductAffinity.related_product_id)
    await session.execute(
        update(ProductAffinity)
        .where(key.in_(pairs))
        .values(score=ProductAffinity.score - 1)
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        delete(ProductAffinity)
        .where(key.in_(pairs), ProductAffinity.score <= 0)
        .execution_options(synchronize_session=False)
    )


async def _strengthen(session: AsyncSession, pairs: set[tuple[int, int]]) -> None:
    if not pairs:
        return
    key = tuple_(ProductAffinity.product_id, ProductAffinity.related_product_id)
    existing = {
        (row.product_id, row.related_product_id)
        for row in await session.execute(
            select(ProductAffinity.product_id, ProductAffinity.related_product_id).where(
                key.in_(pairs)
            )
        )
    }
    if existing:
        await session.execute(
            update(ProductAffinity)
            .where(key.in_(existing))
            .values(score=ProductAffinity.score + 1)
            .execution_options(synchronize_session=False)
        )
    session.add_all(
        ProductAffinity(product_id=first, related_product_id=second, score=1)
        for first, second in sorted(pairs - existing)
    )
