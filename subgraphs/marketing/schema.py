"""Queries and mutations of the marketing subgraph."""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy import Select, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types import Info

from models import marketing as model
from models.base import utcnow
from models.database import Database
from subgraphs.common.access_directives import (
    AUTHENTICATED,
    MARKETING_READ,
    MARKETING_WRITE,
    REDEEM_COUPON,
)
from subgraphs.common.context import context_of
from subgraphs.common.erasure import erase_field, export_field
from subgraphs.common.errors import Conflict, NotFound
from subgraphs.common.ids import parse_id
from subgraphs.common.pagination import (
    CONNECTION_DIRECTIVES,
    After,
    Before,
    Connection,
    First,
    Last,
    list_connection,
    page_request,
)
from subgraphs.common.schema import build_schema
from subgraphs.marketing import loaders, outbox, personal_data, validation
from subgraphs.marketing.recording import record_order_placed
from subgraphs.marketing.sorting import CampaignSort, campaign_sort
from subgraphs.marketing.types import (
    Campaign,
    CampaignFilter,
    CampaignStatus,
    Coupon,
    CreateCampaignInput,
    CreateCouponInput,
    Customer,
    OrderPlacedInput,
    Product,
)

__all__ = ["Mutation", "Query", "schema"]


def _filtered(statement: Select[Any], where: CampaignFilter | None) -> Select[Any]:
    if where is None:
        return statement
    if where.status is not None:
        statement = statement.where(model.Campaign.status == where.status)
    if where.channel is not None:
        statement = statement.where(model.Campaign.channel == where.channel.value)
    return statement


@strawberry.type
class Query:
    @strawberry.field(
        description="One campaign by id, or null when there is none.", directives=MARKETING_READ
    )
    async def campaign(self, info: Info[Any, Any], id: strawberry.ID) -> Campaign | None:
        row = await context_of(info).loader(loaders.campaigns_by_id).load(parse_id(id))
        return None if row is None else Campaign.from_row(row)

    @strawberry.field(
        description="Campaigns, a page at a time; by ascending id unless `orderBy`.",
        directives=[*CONNECTION_DIRECTIVES, *MARKETING_READ],
    )
    async def campaigns(
        self,
        info: Info[Any, Any],
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: CampaignFilter | None = None,
        order_by: CampaignSort | None = None,
    ) -> Connection[Campaign]:
        sort = campaign_sort(order_by)
        page = page_request("campaigns", sort, first=first, after=after, last=last, before=before)
        statement = _filtered(select(model.Campaign), filter)
        database = context_of(info).database
        return await list_connection(
            database, statement, "campaigns", sort, page, Campaign.from_row
        )

    @strawberry.field(
        description="A coupon by its code (case-insensitive), or null.", directives=AUTHENTICATED
    )
    async def coupon(self, info: Info[Any, Any], code: str) -> Coupon | None:
        async with context_of(info).database.sessions() as session:
            row = await session.scalar(
                select(model.Coupon).where(model.Coupon.code == code.strip().upper())
            )
        return None if row is None else Coupon.from_row(row)

    export_marketing_customer_data = export_field("marketing", personal_data.export_customer_data)


async def _erase(database: Database, customer_id: int, _salt: str) -> int:
    """Marketing keeps nothing under a pseudonym: the salt is not needed."""
    return await personal_data.erase_customer_data(database, customer_id)


async def _campaign(session: AsyncSession, campaign_id: int) -> model.Campaign:
    row = await session.get(model.Campaign, campaign_id, with_for_update=True)
    if row is None:
        raise NotFound(f"No campaign with id {campaign_id}", id=str(campaign_id))
    return row


def _check_redeemable(campaign: model.Campaign, coupon: model.Coupon) -> None:
    now = utcnow()
    if campaign.status is not model.CampaignStatus.ACTIVE:
        raise Conflict(f"Campaign {campaign.id} is {campaign.status.value}", couponCode=coupon.code)
    if not campaign.starts_at <= now < campaign.ends_at:
        raise Conflict(f"Campaign {campaign.id} is not running now", couponCode=coupon.code)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Create a DRAFT campaign.", directives=MARKETING_WRITE)
    async def create_campaign(self, info: Info[Any, Any], input: CreateCampaignInput) -> Campaign:
        starts_at, ends_at = validation.clean_window(input.starts_at, input.ends_at)
        row = model.Campaign(
            name=validation.clean_name(input.name),
            channel=input.channel.value,
            status=model.CampaignStatus.DRAFT,
            starts_at=starts_at,
            ends_at=ends_at,
        )
        async with context_of(info).database.sessions() as session, session.begin():
            session.add(row)
        return Campaign.from_row(row)

    @strawberry.mutation(description="Activate or end a campaign.", directives=MARKETING_WRITE)
    async def update_campaign_status(
        self,
        info: Info[Any, Any],
        id: strawberry.ID,
        status: CampaignStatus,  # type: ignore[valid-type]
    ) -> Campaign:
        async with context_of(info).database.sessions() as session, session.begin():
            row = await _campaign(session, parse_id(id))
            validation.check_campaign_transition(row.status, status)
            outbox.stage_campaign_status_changed(session, row.id, row.status, status)
            row.status = status
        return Campaign.from_row(row)

    @strawberry.mutation(
        description="Add a coupon to a campaign that has not ended.", directives=MARKETING_WRITE
    )
    async def create_coupon(self, info: Info[Any, Any], input: CreateCouponInput) -> Coupon:
        row = model.Coupon(
            campaign_id=parse_id(input.campaign_id, "campaignId"),
            code=validation.clean_code(input.code),
            percent_off=validation.clean_percent_off(input.percent_off),
            max_redemptions=validation.clean_max_redemptions(input.max_redemptions),
            redemptions=0,
        )
        duplicate = Conflict(f"Coupon code {row.code!r} is already taken", field="code")
        try:
            async with context_of(info).database.sessions() as session, session.begin():
                campaign = await _campaign(session, row.campaign_id)
                if campaign.status is model.CampaignStatus.ENDED:
                    raise Conflict(f"Campaign {campaign.id} has ended", field="campaignId")
                if await session.scalar(
                    select(model.Coupon.id).where(model.Coupon.code == row.code)
                ):
                    raise duplicate
                session.add(row)
        except IntegrityError as error:  # lost a race on the unique code
            raise duplicate from error
        return Coupon.from_row(row)

    @strawberry.mutation(
        description="Use a coupon once; it must belong to a running campaign.",
        directives=REDEEM_COUPON,
    )
    async def redeem_coupon(self, info: Info[Any, Any], code: str) -> Coupon:
        code = validation.clean_code(code)
        async with context_of(info).database.sessions() as session, session.begin():
            coupon = await session.scalar(select(model.Coupon).where(model.Coupon.code == code))
            if coupon is None:
                raise NotFound(f"No coupon {code!r}", field="code")
            _check_redeemable(await _campaign(session, coupon.campaign_id), coupon)
            # Conditional increment: concurrent redemptions can never exceed the maximum.
            result = await session.execute(
                update(model.Coupon)
                .where(
                    model.Coupon.id == coupon.id,
                    model.Coupon.redemptions < model.Coupon.max_redemptions,
                )
                .values(redemptions=model.Coupon.redemptions + 1)
                .returning(model.Coupon.redemptions)
            )
            redemptions = result.scalar()
            if redemptions is None:
                raise Conflict(f"Coupon {code!r} is used up", field="code")
            coupon.redemptions = redemptions
            outbox.stage_coupon_redeemed(session, coupon)
        return Coupon.from_row(coupon)

    @strawberry.federation.mutation(
        inaccessible=True,
        description="Internal: an order fact from the orders outbox; true when newly recorded.",
    )
    async def record_order_placed(self, info: Info[Any, Any], input: OrderPlacedInput) -> bool:
        order = validation.clean_placed_order(
            input.order_id,
            input.customer_id,
            [(line.product_id, line.quantity) for line in input.lines],
        )
        return await record_order_placed(context_of(info).database, order)

    erase_marketing_customer_data = erase_field("marketing", _erase)


schema = build_schema(query=Query, mutation=Mutation, types=[Campaign, Coupon, Customer, Product])
