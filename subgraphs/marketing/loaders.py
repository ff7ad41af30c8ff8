"""Batch functions of the marketing domain: one SQL statement per batch of keys.

Recommendations and related products rank candidates with a ``ROW_NUMBER()`` window per
customer / product, so 50 customers cost one statement like 5 do.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from sqlalchemy import Row, Select, Subquery, Table, exists, func, select
from sqlalchemy.orm import aliased

from models.database import Database
from models.marketing import Campaign, Coupon, ProductAffinity, PurchaseFact
from subgraphs.common.batch import count_per_key, one_per_key
from subgraphs.common.keyset import ChildPage, pages_per_parent

__all__ = [
    "Ranking",
    "campaigns_by_id",
    "coupon_counts",
    "coupons_of_campaigns",
    "recommendations",
    "related_products",
]


# (owner ids, first) -> SELECT owner_id, product_id, the first ``first`` per owner in rank order.
_RankedStatement = Callable[[set[int], int], Select[tuple[int, int]]]


class Ranking(NamedTuple):
    """Key of a top-``first`` list for one customer or product."""

    owner_id: int
    first: int


async def campaigns_by_id(database: Database, ids: Sequence[int]) -> list[Campaign | None]:
    return await one_per_key(database, Campaign, Campaign.id, ids)


async def coupons_of_campaigns(
    database: Database, pages: Sequence[ChildPage]
) -> list[list[Row[Any]]]:
    """Each campaign's page of coupons (rows of the ``coupons`` columns): one statement."""
    table: Table = Coupon.__table__  # type: ignore[assignment]
    return await pages_per_parent(database, table, "campaign_id", pages)


async def coupon_counts(database: Database, campaign_ids: Sequence[int]) -> list[int]:
    return await count_per_key(database, Coupon, Coupon.campaign_id, campaign_ids)


async def _top(
    database: Database, keys: Sequence[Ranking], statement_for: _RankedStatement
) -> list[list[int]]:
    widths: dict[int, set[int]] = defaultdict(set)
    for key in keys:
        widths[key.first].add(key.owner_id)
    found: dict[Ranking, list[int]] = defaultdict(list)
    async with database.reads() as session:
        for first, owner_ids in widths.items():
            for row in await session.execute(statement_for(owner_ids, first)):
                found[Ranking(row.owner_id, first)].append(row.product_id)
    return [found.get(key, []) for key in keys]


def _recommended(customer_ids: set[int], first: int) -> Select[tuple[int, int]]:
    """Products co-bought with what each customer bought, that the customer has not bought,
    by summed affinity (ties by product id)."""
    owned = aliased(PurchaseFact)
    # The redundant IN keeps PostgreSQL from hashing every customer's facts for the anti-join.
    already_bought = exists().where(
        owned.customer_id.in_(customer_ids),
        owned.customer_id == PurchaseFact.customer_id,
        owned.product_id == ProductAffinity.related_product_id,
    )
    candidates = (
        select(
            PurchaseFact.customer_id.label("owner_id"),
            ProductAffinity.related_product_id.label("product_id"),
            func.sum(ProductAffinity.score).label("score"),
        )
        .join(ProductAffinity, ProductAffinity.product_id == PurchaseFact.product_id)
        .where(PurchaseFact.customer_id.in_(customer_ids), ~already_bought)
        .group_by(PurchaseFact.customer_id, ProductAffinity.related_product_id)
        .subquery()
    )
    return _first_per_owner(candidates, first)


def _related(product_ids: set[int], first: int) -> Select[tuple[int, int]]:
    candidates = (
        select(
            ProductAffinity.product_id.label("owner_id"),
            ProductAffinity.related_product_id.label("product_id"),
            ProductAffinity.score.label("score"),
        )
        .where(ProductAffinity.product_id.in_(product_ids))
        .subquery()
    )
    return _first_per_owner(candidates, first)


def _first_per_owner(candidates: Subquery, first: int) -> Select[tuple[int, int]]:
    rank = func.row_number().over(
        partition_by=candidates.c.owner_id,
        order_by=(candidates.c.score.desc(), candidates.c.product_id),
    )
    ranked = select(candidates.c.owner_id, candidates.c.product_id, rank.label("rank")).subquery()
    return (
        select(ranked.c.owner_id, ranked.c.product_id)
        .where(ranked.c.rank <= first)
        .order_by(ranked.c.owner_id, ranked.c.rank)
    )


async def recommendations(database: Database, keys: Sequence[Ranking]) -> list[list[int]]:
    return await _top(database, keys, _recommended)


async def related_products(database: Database, keys: Sequence[Ranking]) -> list[list[int]]:
    return await _top(database, keys, _related)
