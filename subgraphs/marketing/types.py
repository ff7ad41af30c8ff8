"""GraphQL types of the marketing domain, and what it contributes to Customer and Product."""

from __future__ import annotations

import enum
from collections.abc import Awaitable
from datetime import datetime
from typing import Any

import strawberry
from sqlalchemy import Row
from strawberry import UNSET
from strawberry.federation.schema_directives import Cost, ListSize
from strawberry.types import Info

from models import marketing as model
from subgraphs.common.access import RECOMMENDATIONS
from subgraphs.common.access_directives import MARKETING_READ, RECOMMENDATIONS_READ
from subgraphs.common.context import context_of
from subgraphs.common.ids import format_id, parse_id
from subgraphs.common.keyset import ChildPage
from subgraphs.common.pagination import (
    CONNECTION_DIRECTIVES,
    After,
    Before,
    Connection,
    First,
    Last,
    build_connection,
    page_request,
)
from subgraphs.marketing import loaders
from subgraphs.marketing.sorting import COUPONS_BY_ID
from subgraphs.marketing.validation import clean_ranking_size

__all__ = [
    "Campaign",
    "CampaignChannel",
    "CampaignFilter",
    "CampaignStatus",
    "Coupon",
    "CreateCampaignInput",
    "CreateCouponInput",
    "Customer",
    "OrderPlacedInput",
    "OrderPlacedLineInput",
    "Product",
]


CampaignStatus = strawberry.enum(
    model.CampaignStatus, description="DRAFT -> ACTIVE -> ENDED (or DRAFT -> ENDED)."
)


@strawberry.enum(description="Where a campaign reaches customers.")
class CampaignChannel(enum.Enum):
    EMAIL = "EMAIL"
    SMS = "SMS"
    APP_PUSH = "APP_PUSH"
    WECHAT = "WECHAT"
    SOCIAL = "SOCIAL"


def _products(ids: list[int]) -> list[Product]:
    return [Product(id=strawberry.ID(format_id(id_))) for id_ in ids]


# a ranking is one SQL aggregate over order lines: dearer than a lookup; sized by `first`
RANKING_DIRECTIVES = (
    Cost(weight=5),
    ListSize(assumed_size=UNSET, slicing_arguments=["first"], sized_fields=UNSET),
)


@strawberry.federation.type(keys=["id"])
class Product:
    """Marketing's part of the product (and of the customer below): contributed fields are
    nullable so that a marketing outage nulls only them through the router."""

    id: strawberry.ID

    @strawberry.field(
        description="Products most often bought by the buyers of this one.",
        directives=RANKING_DIRECTIVES,
    )
    async def related_products(self, info: Info[Any, Any], first: int = 5) -> list[Product] | None:
        key = loaders.Ranking(parse_id(self.id, "product id"), clean_ranking_size(first))
        return _products(await context_of(info).loader(loaders.related_products).load(key))

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Product:
        return cls(id=id)


@strawberry.federation.type(keys=["id"])
class Customer:
    id: strawberry.ID

    @strawberry.field(
        description="Products bought by customers who bought what this customer bought, "
        "that this customer has not bought yet, best first.",
        directives=[*RANKING_DIRECTIVES, *RECOMMENDATIONS_READ],
    )
    async def recommendations(self, info: Info[Any, Any], first: int = 5) -> list[Product] | None:
        customer_id = parse_id(self.id, "customer id")
        RECOMMENDATIONS.check(customer_id, f"read the recommendations of customer {customer_id}")
        key = loaders.Ranking(customer_id, clean_ranking_size(first))
        return _products(await context_of(info).loader(loaders.recommendations).load(key))

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Customer:
        return cls(id=id)


@strawberry.type
class Coupon:
    id: strawberry.ID
    code: str
    percent_off: int
    max_redemptions: int
    redemptions: int
    campaign_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: model.Coupon | Row[Any]) -> Coupon:
        return cls(
            id=strawberry.ID(format_id(row.id)),
            code=row.code,
            percent_off=row.percent_off,
            max_redemptions=row.max_redemptions,
            redemptions=row.redemptions,
            campaign_id=row.campaign_id,
        )

    @strawberry.field(description="Redemptions left.")
    def remaining(self) -> int:
        return max(0, self.max_redemptions - self.redemptions)

    @strawberry.field
    async def campaign(self, info: Info[Any, Any]) -> Campaign:
        row = await context_of(info).loader(loaders.campaigns_by_id).load(self.campaign_id)
        if row is None:  # coupons.campaign_id is a foreign key: cannot happen
            raise LookupError(f"campaign {self.campaign_id} of coupon {self.id} is missing")
        return Campaign.from_row(row)


@strawberry.federation.type(
    keys=["id"], description="A marketing campaign and its coupons.", directives=MARKETING_READ
)
class Campaign:
    id: strawberry.ID
    name: str
    channel: CampaignChannel
    status: CampaignStatus  # type: ignore[valid-type]
    starts_at: datetime
    ends_at: datetime
    created_at: datetime

    @classmethod
    def from_row(cls, row: model.Campaign) -> Campaign:
        return cls(
            id=strawberry.ID(format_id(row.id)),
            name=row.name,
            channel=CampaignChannel(row.channel),
            status=row.status,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            created_at=row.created_at,
        )

    @strawberry.field(
        description="The campaign's coupons, oldest first, a page at a time.",
        directives=CONNECTION_DIRECTIVES,
    )
    async def coupons(
        self,
        info: Info[Any, Any],
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Coupon]:
        campaign_id = int(self.id)
        scope = f"Campaign:{campaign_id}.coupons"
        page = page_request(
            scope, COUPONS_BY_ID, first=first, after=after, last=last, before=before
        )
        context = context_of(info)
        key = ChildPage(campaign_id, COUPONS_BY_ID, page)
        rows = await context.loader(loaders.coupons_of_campaigns).load(key)

        def count() -> Awaitable[int]:
            return context.loader(loaders.coupon_counts).load(campaign_id)

        return build_connection(rows, page, scope, COUPONS_BY_ID, Coupon.from_row, count)

    @classmethod
    async def resolve_reference(cls, info: Info[Any, Any], id: strawberry.ID) -> Campaign | None:
        row = await context_of(info).loader(loaders.campaigns_by_id).load(parse_id(id))
        return None if row is None else cls.from_row(row)


@strawberry.input
class CampaignFilter:
    status: CampaignStatus | None = None  # type: ignore[valid-type]
    channel: CampaignChannel | None = None


@strawberry.input
class CreateCampaignInput:
    name: str
    channel: CampaignChannel
    starts_at: datetime
    ends_at: datetime


@strawberry.input
class CreateCouponInput:
    campaign_id: strawberry.ID
    code: str = strawberry.field(description="4 to 32 letters, digits or dashes; stored uppercase")
    percent_off: int
    max_redemptions: int


@strawberry.federation.input(inaccessible=True)
class OrderPlacedLineInput:
    product_id: strawberry.ID
    quantity: int


@strawberry.federation.input(
    inaccessible=True, description="An order fact relayed by the orders domain's outbox."
)
class OrderPlacedInput:
    order_id: strawberry.ID
    customer_id: strawberry.ID
    lines: list[OrderPlacedLineInput]
