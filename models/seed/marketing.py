"""Seed the marketing domain: a handful of campaigns and coupons, plus the purchase facts
and co-purchase affinity derived from ``generate.orders`` (never from the orders tables).

Memory stays bounded at 100k customers / 1M orders: one pass over the generated orders
keeps only compact integer arrays of the lines, bucketed by customer; each bucket is then
aggregated into facts (inserted straight away) and its customers' baskets add their pairs
to a flat ``products x products`` counter (4 bytes a pair: 16 MB for 2,000 products).
The top related products per product are taken from that counter at the end. Cancelled
orders are not purchases; every order still enters the ``recorded_orders`` inbox.
"""

from __future__ import annotations

import heapq
from array import array
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import permutations
from typing import Any

from tqdm import tqdm

from models.base import utcnow
from models.database import Database
from models.marketing import Campaign, Coupon, ProductAffinity, PurchaseFact, RecordedOrder
from models.seed import generate
from models.seed.bulk import insert_rows, sync_sequence

# Statistics right after the bulk load: without them PostgreSQL plans the per-customer
# lookups as sequential scans (and JIT-compiles them) until autovacuum gets round to it.

__all__ = [
    "RELATED_PER_PRODUCT",
    "campaign_rows",
    "coupon_rows",
    "seed",
    "seeding_day",
]

RELATED_PER_PRODUCT = 20
_CUSTOMERS_PER_BUCKET = 4_096

# (name, channel, status, first day, length in days), days counted from the seeding day:
# ended campaigns lie in the past, active ones around the seeding day (running for about a
# year after it), drafts in the future. Relative offsets keep the demo's coupons working
# whatever day it is seeded, and the same on every run seeded that day.
_CAMPAIGNS = (
    ("Spring Festival Sale", "WECHAT", "ENDED", -300, 30),
    ("618 Mid-Year Deals", "APP_PUSH", "ENDED", -170, 20),
    ("Singles' Day 11.11", "EMAIL", "ACTIVE", -20, 400),
    ("Back to School", "SMS", "DRAFT", 40, 30),
    ("Members' Week", "SOCIAL", "ACTIVE", -5, 365),
    ("New Year Countdown", "EMAIL", "DRAFT", 60, 20),
)


def seeding_day(now: datetime | None = None) -> datetime:
    """Midnight UTC of the day ``now`` (default: the current time) falls on."""
    moment = now or utcnow()
    return moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def campaign_rows(seeded_at: datetime | None = None) -> list[dict[str, Any]]:
    """The seeded campaigns as rows, their dates offset from the day of ``seeded_at``."""
    day = seeding_day(seeded_at)
    return [
        {
            "id": id_,
            "name": name,
            "channel": channel,
            "status": status,
            "starts_at": day + timedelta(days=start),
            "ends_at": day + timedelta(days=start + length),
            "created_at": day + timedelta(days=start - 14),
        }
        for id_, (name, channel, status, start, length) in enumerate(_CAMPAIGNS, start=1)
    ]


def coupon_rows() -> list[dict[str, Any]]:
    rows = []
    for campaign in campaign_rows():
        for number, percent_off in enumerate((5, 10, 20), start=1):
            rows.append(
                {
                    "code": f"C{campaign['id']:02d}-SAVE{percent_off:02d}",
                    "campaign_id": campaign["id"],
                    "percent_off": percent_off,
                    "max_redemptions": 1_000 * number,
                    "redemptions": 0 if campaign["status"] == "DRAFT" else 37 * number,
                }
            )
    return rows


@dataclass(slots=True)
class _Bucket:
    """Order lines of the customers of one bucket, as parallel compact arrays."""

    customers: array[int] = field(default_factory=lambda: array("q"))
    products: array[int] = field(default_factory=lambda: array("q"))
    quantities: array[int] = field(default_factory=lambda: array("i"))
    orders: array[int] = field(default_factory=lambda: array("q"))


def _bucketed_lines(
    scale: generate.Scale, order_customers: array[int], show_progress: bool
) -> dict[int, _Bucket]:
    buckets: dict[int, _Bucket] = defaultdict(_Bucket)
    for order in tqdm(
        generate.orders(scale), total=scale.orders, desc="order facts", disable=not show_progress
    ):
        order_customers.append(order.customer_id)
        if order.status == "CANCELLED":
            continue
        bucket = buckets[order.customer_id // _CUSTOMERS_PER_BUCKET]
        for line in order.lines:
            bucket.customers.append(order.customer_id)
            bucket.products.append(line.product_id)
            bucket.quantities.append(line.quantity)
            bucket.orders.append(order.id)
    return buckets


def _facts(bucket: _Bucket) -> dict[tuple[int, int], list[int]]:
    """(customer, product) -> [quantity, last order id]."""
    facts: dict[tuple[int, int], list[int]] = {}
    for customer, product, quantity, order in zip(
        bucket.customers, bucket.products, bucket.quantities, bucket.orders, strict=True
    ):
        fact = facts.setdefault((customer, product), [0, 0])
        fact[0] += quantity
        fact[1] = max(fact[1], order)
    return facts


def _count_pairs(facts: dict[tuple[int, int], list[int]], pairs: array[int], width: int) -> None:
    baskets: dict[int, list[int]] = defaultdict(list)
    for customer, product in facts:
        baskets[customer].append(product)
    for basket in baskets.values():
        for first, second in permutations(basket, 2):
            pairs[first * width + second] += 1


def _affinity_rows(pairs: array[int], width: int) -> Iterator[dict[str, Any]]:
    for product in range(1, width):
        row = pairs[product * width : (product + 1) * width]
        best = heapq.nsmallest(
            RELATED_PER_PRODUCT,
            ((-score, related) for related, score in enumerate(row) if score),
        )
        for negative_score, related in best:
            yield {"product_id": product, "related_product_id": related, "score": -negative_score}


async def _seed_facts(database: Database, scale: generate.Scale, show_progress: bool) -> None:
    width = scale.product_count + 1
    pairs = array("i", bytes(array("i").itemsize * width * width))
    order_customers = array("q")
    buckets = _bucketed_lines(scale, order_customers, show_progress)
    for key in tqdm(sorted(buckets), desc="baskets", disable=not show_progress):
        facts = _facts(buckets.pop(key))
        _count_pairs(facts, pairs, width)
        rows = (
            {"customer_id": c, "product_id": p, "quantity": q, "last_order_id": o}
            for (c, p), (q, o) in facts.items()
        )
        await insert_rows(database, PurchaseFact, rows, show_progress=False)
    recorded = (
        {"order_id": id_, "customer_id": customer}
        for id_, customer in enumerate(order_customers, start=1)
    )
    await insert_rows(
        database, RecordedOrder, recorded, total=scale.orders, show_progress=show_progress
    )
    await insert_rows(
        database, ProductAffinity, _affinity_rows(pairs, width), show_progress=show_progress
    )


async def seed(database: Database, scale: generate.Scale, *, show_progress: bool = True) -> None:
    await insert_rows(database, Campaign, campaign_rows(), show_progress=show_progress)
    await insert_rows(database, Coupon, coupon_rows(), show_progress=show_progress)
    await sync_sequence(database, Campaign)
    await sync_sequence(database, Coupon)
    await _seed_facts(database, scale, show_progress)
