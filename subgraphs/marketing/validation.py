"""Input rules of the marketing domain; each violation is a BAD_USER_INPUT naming its field
(or CONFLICT for a forbidden campaign status change), raised before anything is written."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import NamedTuple

from models.marketing import CampaignStatus
from subgraphs.common.errors import BadUserInput, Conflict
from subgraphs.common.ids import parse_id

__all__ = [
    "CAMPAIGN_TRANSITIONS",
    "MAX_CAMPAIGN_LENGTH",
    "MAX_RANKING",
    "PlacedOrder",
    "check_campaign_transition",
    "clean_code",
    "clean_max_redemptions",
    "clean_name",
    "clean_percent_off",
    "clean_placed_order",
    "clean_ranking_size",
    "clean_window",
]

MAX_RANKING = 20  # the seeder keeps the top 20 related products per product
MAX_CAMPAIGN_LENGTH = timedelta(days=366)
_CODE = re.compile(r"^[A-Z0-9-]{4,32}$")

CAMPAIGN_TRANSITIONS: dict[CampaignStatus, frozenset[CampaignStatus]] = {
    CampaignStatus.DRAFT: frozenset({CampaignStatus.ACTIVE, CampaignStatus.ENDED}),
    CampaignStatus.ACTIVE: frozenset({CampaignStatus.ENDED}),
    CampaignStatus.ENDED: frozenset(),
}


class PlacedOrder(NamedTuple):
    """An order fact as recorded by marketing: who bought which products, how many."""

    order_id: int
    customer_id: int
    quantities: dict[int, int]


def clean_name(name: str) -> str:
    name = name.strip()
    if not 1 <= len(name) <= 200:
        raise BadUserInput("Name must be 1 to 200 characters", field="name")
    return name


def clean_window(starts_at: datetime, ends_at: datetime) -> tuple[datetime, datetime]:
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise BadUserInput("startsAt and endsAt need a UTC offset", field="startsAt")
    if not starts_at < ends_at <= starts_at + MAX_CAMPAIGN_LENGTH:
        raise BadUserInput(
            f"endsAt must be after startsAt and at most {MAX_CAMPAIGN_LENGTH.days} days later",
            field="endsAt",
        )
    return starts_at, ends_at


def clean_code(code: str) -> str:
    code = code.strip().upper()
    if not _CODE.match(code):
        raise BadUserInput("A coupon code is 4 to 32 letters, digits or dashes", field="code")
    return code


def clean_percent_off(percent_off: int) -> int:
    if not 1 <= percent_off <= 100:
        raise BadUserInput("percentOff must be between 1 and 100", field="percentOff")
    return percent_off


def clean_max_redemptions(max_redemptions: int) -> int:
    if not 1 <= max_redemptions <= 10_000_000:
        raise BadUserInput("maxRedemptions must be between 1 and 10000000", field="maxRedemptions")
    return max_redemptions


def clean_ranking_size(first: int) -> int:
    if not 0 <= first <= MAX_RANKING:
        raise BadUserInput(f"`first` must be between 0 and {MAX_RANKING}", argument="first")
    return first


def check_campaign_transition(current: CampaignStatus, target: CampaignStatus) -> None:
    if target not in CAMPAIGN_TRANSITIONS[current]:
        raise Conflict(
            f"A campaign cannot go from {current.value} to {target.value}",
            status=current.value,
            requested=target.value,
        )


def clean_placed_order(
    order_id: object, customer_id: object, lines: list[tuple[object, int]]
) -> PlacedOrder:
    if not lines:
        raise BadUserInput("An order has at least one line", field="lines")
    quantities: dict[int, int] = {}
    for product_id, quantity in lines:
        if quantity <= 0:
            raise BadUserInput("Quantities must be positive", field="quantity")
        key = parse_id(product_id, "productId")
        quantities[key] = quantities.get(key, 0) + quantity
    return PlacedOrder(
        parse_id(order_id, "orderId"), parse_id(customer_id, "customerId"), quantities
    )
